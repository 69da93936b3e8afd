/** The commercetools simulator's query-predicate subset: what it parses, how literals unescape, what it refuses. */
import { describe, expect, it } from 'vitest';
import { parsePredicate, PredicateError, predicateKeyCount } from '../../../sim/commercetools/predicate.js';

describe('commercetools predicate subset: accepted forms', () => {
  it('parses = and in on id and orderNumber', () => {
    expect(parsePredicate('id = "a"')).toEqual({ kind: 'in', field: 'id', values: ['a'] });
    expect(parsePredicate('orderNumber="O_1"')).toEqual({ kind: 'in', field: 'orderNumber', values: ['O_1'] });
    expect(parsePredicate(' id in ( "a" , "b","c" ) ')).toEqual({ kind: 'in', field: 'id', values: ['a', 'b', 'c'] });
  });

  it('binds and tighter than or, honours parentheses, and reads keywords in any case', () => {
    expect(parsePredicate('id = "a" or id = "b" and orderNumber = "n"')).toEqual({
      kind: 'or',
      operands: [
        { kind: 'in', field: 'id', values: ['a'] },
        {
          kind: 'and',
          operands: [
            { kind: 'in', field: 'id', values: ['b'] },
            { kind: 'in', field: 'orderNumber', values: ['n'] },
          ],
        },
      ],
    });
    expect(parsePredicate('(id = "a" OR id = "b") AND orderNumber IN ("n")')).toEqual({
      kind: 'and',
      operands: [
        {
          kind: 'or',
          operands: [
            { kind: 'in', field: 'id', values: ['a'] },
            { kind: 'in', field: 'id', values: ['b'] },
          ],
        },
        { kind: 'in', field: 'orderNumber', values: ['n'] },
      ],
    });
  });

  it('unescapes \\" and \\\\ inside literals and keeps other characters as written', () => {
    const predicate = parsePredicate(String.raw`orderNumber in ("say \"hi\"", "back\\slash", "a,b) or (", "ü €")`);
    expect(predicate).toEqual({
      kind: 'in',
      field: 'orderNumber',
      values: ['say "hi"', 'back\\slash', 'a,b) or (', 'ü €'],
    });
  });

  it('counts every literal as a key (the batch size of a list query)', () => {
    expect(predicateKeyCount(parsePredicate('id in ("a", "b", "c")'))).toBe(3);
    expect(predicateKeyCount(parsePredicate('id = "a" or (orderNumber in ("x", "y") and id = "b")'))).toBe(4);
  });
});

describe('commercetools predicate subset: refusals', () => {
  const refused: [string, RegExp][] = [
    ['', /unexpected end of input/],
    ['id = a', /expected a string literal, found 'a' at position 6/],
    ['id = "a', /unterminated string literal at position 6/],
    [String.raw`id = "a\n"`, /unsupported escape '\\n'/],
    ['id in ()', /expected a string literal, found '\)'/],
    ['id in ("a",)', /expected a string literal, found '\)'/],
    ['id in "a"', /expected '\(', found a string literal/],
    ['orderState = "Open"', /unexpected 'orderState'; the simulator supports only 'id' or 'orderNumber'/],
    ['ID = "a"', /unexpected 'ID'/],
    ['id != "a"', /unexpected '!'/],
    ['id = "a" id = "b"', /unexpected 'id', expected 'and', 'or' or the end/],
    ['id = "a" and', /unexpected end of input/],
    ['(id = "a"', /expected '\)', found end of input/],
    ['not(id = "a")', /unexpected 'not'/],
    [`${'('.repeat(40)}id = "a"${')'.repeat(40)}`, /nested deeper than 32/],
  ];

  it.each(refused)('refuses %j', (where, message) => {
    const attempt = () => parsePredicate(where);
    expect(attempt).toThrow(PredicateError);
    expect(attempt).toThrow(/^Malformed parameter: where: /);
    expect(attempt).toThrow(message);
  });
});

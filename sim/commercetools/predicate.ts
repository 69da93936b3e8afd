/**
 * The subset of commercetools query predicates (`where`) the connector sends, parsed strictly:
 *
 *   predicate  := or
 *   or         := and ("or" and)*
 *   and        := primary ("and" primary)*
 *   primary    := "(" predicate ")" | field "=" string | field "in" "(" string ("," string)* ")"
 *   field      := "id" | "orderNumber"
 *   string     := '"' (any character but '"' and '\' | '\"' | '\\')* '"'
 *
 * Keywords are case-insensitive, field names are not. Anything else — another field, operator or escape, an
 * unterminated literal, trailing input — is a PredicateError, which the simulator answers like commercetools answers
 * a malformed predicate: `InvalidInput`, HTTP 400.
 */

export type PredicateField = 'id' | 'orderNumber';

export type Predicate =
  | { readonly kind: 'in'; readonly field: PredicateField; readonly values: readonly string[] }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Predicate[] };

export class PredicateError extends Error {}

const FIELDS: readonly string[] = ['id', 'orderNumber'] satisfies PredicateField[];
/** Parentheses deeper than this are refused rather than risking the parser's stack. */
const MAX_DEPTH = 32;

type Token =
  | { readonly type: 'word'; readonly text: string; readonly at: number }
  | { readonly type: 'string'; readonly text: string; readonly at: number }
  | { readonly type: '(' | ')' | ',' | '=' | 'end'; readonly at: number };

export function parsePredicate(text: string): Predicate {
  const parser = new Parser(tokenize(text));
  const predicate = parser.predicate(0);
  parser.expectEnd();
  return predicate;
}

/** How many keys the predicate asks for (every literal, as written): a list query's batch size. */
export function predicateKeyCount(predicate: Predicate): number {
  if (predicate.kind === 'in') return predicate.values.length;
  return predicate.operands.reduce((sum, p) => sum + predicateKeyCount(p), 0);
}

function malformed(reason: string, at: number): PredicateError {
  return new PredicateError(`Malformed parameter: where: ${reason} at position ${at + 1}.`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',' || c === '=') {
      tokens.push({ type: c, at: i });
      i++;
    } else if (c === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ type: 'string', text: value, at: i });
      i = end;
    } else if (/[A-Za-z]/.test(c)) {
      const word = /^[A-Za-z][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ type: 'word', text: word, at: i });
      i += word.length;
    } else {
      throw malformed(`unexpected '${c}'`, i);
    }
  }
  tokens.push({ type: 'end', at: text.length });
  return tokens;
}

/** The literal starting at the quote at `start`: its value and the index after its closing quote. */
function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const escaped = text[i + 1];
    if (escaped !== '"' && escaped !== '\\') {
      throw malformed(`unsupported escape '\\${escaped ?? ''}' in a string literal (only \\" and \\\\)`, i);
    }
    value += escaped;
    i++;
  }
  throw malformed('unterminated string literal', start);
}

class Parser {
  private next = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  predicate(depth: number): Predicate {
    if (depth > MAX_DEPTH) throw malformed(`parentheses nested deeper than ${MAX_DEPTH}`, this.peek().at);
    const operands = [this.conjunction(depth)];
    while (this.keyword('or')) operands.push(this.conjunction(depth));
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.type !== 'end')
      throw malformed(`unexpected ${describe(token)}, expected 'and', 'or' or the end`, token.at);
  }

  private conjunction(depth: number): Predicate {
    const operands = [this.primary(depth)];
    while (this.keyword('and')) operands.push(this.primary(depth));
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private primary(depth: number): Predicate {
    const token = this.take();
    if (token.type === '(') {
      const inner = this.predicate(depth + 1);
      this.expect(')');
      return inner;
    }
    if (token.type !== 'word' || !FIELDS.includes(token.text)) {
      const fields = FIELDS.join("' or '");
      throw malformed(`unexpected ${describe(token)}; the simulator supports only '${fields}' with = or in`, token.at);
    }
    const field = token.text as PredicateField;
    if (this.peek().type === '=') {
      this.take();
      return { kind: 'in', field, values: [this.string()] };
    }
    if (!this.keyword('in')) throw malformed(`expected '=' or 'in' after '${field}'`, this.peek().at);
    this.expect('(');
    const values = [this.string()];
    while (this.peek().type === ',') {
      this.take();
      values.push(this.string());
    }
    this.expect(')');
    return { kind: 'in', field, values };
  }

  private string(): string {
    const token = this.take();
    if (token.type !== 'string') throw malformed(`expected a string literal, found ${describe(token)}`, token.at);
    return token.text;
  }

  private keyword(word: string): boolean {
    const token = this.peek();
    if (token.type !== 'word' || token.text.toLowerCase() !== word) return false;
    this.next++;
    return true;
  }

  private expect(type: '(' | ')'): void {
    const token = this.take();
    if (token.type !== type) throw malformed(`expected '${type}', found ${describe(token)}`, token.at);
  }

  private peek(): Token {
    return this.tokens[this.next]!;
  }

  private take(): Token {
    const token = this.tokens[this.next]!;
    if (token.type !== 'end') this.next++;
    return token;
  }
}

function describe(token: Token): string {
  if (token.type === 'end') return 'end of input';
  if (token.type === 'word') return `'${token.text}'`;
  if (token.type === 'string') return 'a string literal';
  return `'${token.type}'`;
}

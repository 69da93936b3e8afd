import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as env from '../../../common/env.js';
import { ConfigError } from '../../../common/errors.js';

const schema = z.object({
  COUNT: env.int({ default: 5, min: 0, max: 10 }),
  ENABLED: env.bool(true),
  TTL: env.duration({ default: '5m', min: 1_000 }),
  NAMES: env.list(),
  BASE_URL: env.url('http://127.0.0.1:8080/'),
  MODE: env.oneOf(['dlq', 'skip'], 'dlq'),
  LABEL: env.text(),
  SECRET: env.requiredText('is required: the API secret'),
});

describe('env: one rule for unset and empty', () => {
  it.each([
    ['unset', {}],
    ['empty', { COUNT: '', ENABLED: '', TTL: '', NAMES: '', BASE_URL: '', MODE: '', LABEL: '' }],
    ['whitespace', { COUNT: ' ', ENABLED: '\t', TTL: '  ', NAMES: ' ', BASE_URL: ' ', MODE: ' ', LABEL: '  ' }],
  ])('%s variables take their defaults', (_label, values) => {
    expect(env.parseEnv(schema, { ...values, SECRET: 's' })).toEqual({
      COUNT: 5,
      ENABLED: true,
      TTL: 300_000,
      NAMES: [],
      BASE_URL: 'http://127.0.0.1:8080',
      MODE: 'dlq',
      LABEL: undefined,
      SECRET: 's',
    });
  });

  it('parses set values (trimmed)', () => {
    expect(
      env.parseEnv(schema, {
        COUNT: ' 0 ',
        ENABLED: 'No',
        TTL: '30s',
        NAMES: 'a, b,,c',
        BASE_URL: 'https://fluent.example/api/',
        MODE: 'skip',
        LABEL: ' x y ',
        SECRET: 's',
      }),
    ).toEqual({
      COUNT: 0,
      ENABLED: false,
      TTL: 30_000,
      NAMES: ['a', 'b', 'c'],
      BASE_URL: 'https://fluent.example/api',
      MODE: 'skip',
      LABEL: 'x y',
      SECRET: 's',
    });
  });

  it('names every bad variable at once, without echoing values', () => {
    let caught: unknown;
    try {
      env.parseEnv(schema, {
        COUNT: '11',
        ENABLED: 'maybe',
        TTL: '10ms',
        BASE_URL: 'ftp://x',
        MODE: 'drop',
        SECRET: '',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['COUNT', 'ENABLED', 'TTL', 'BASE_URL', 'MODE', 'SECRET']);
    expect(problems.join('\n')).not.toContain('maybe');
    expect(problems.join('\n')).toContain('SECRET: is required: the API secret');
    expect((caught as ConfigError).code).toBe('CONFIG');
  });

  it('rejects a fractional or signed integer', () => {
    expect(() => env.parseEnv(schema, { COUNT: '1.5', SECRET: 's' })).toThrow(/COUNT: must be a whole number/);
    expect(() => env.parseEnv(schema, { COUNT: '-1', SECRET: 's' })).toThrow(/COUNT: must be a whole number/);
  });
});

/**
 * Environment variables → validated values. One home for every config's variable parsing, with one rule: a variable
 * that is unset, empty or only whitespace takes its default (an empty `FOO=` in a compose file or a Helm value means
 * "not set", never 0 or "off"). Problems are collected for all variables at once and reported by ConfigError, named
 * by variable; values are never echoed, so a secret in the wrong variable cannot reach a log.
 */
import { z } from 'zod';
import { parseDurationMs } from './duration.js';
import { ConfigError } from './errors.js';

/** Unset or blank → undefined; otherwise the trimmed text. */
const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;

/** Blank/unset → `fallback` (text, parsed like a value the operator wrote), or undefined when there is none. */
const withDefault = <T>(schema: z.ZodType<T, string>, fallback: string | undefined) =>
  fallback === undefined
    ? z.preprocess(blankToUndefined, schema.optional())
    : z.preprocess((v) => blankToUndefined(v) ?? fallback, schema);

/** Free text, trimmed (inner spaces kept). */
export function text(): z.ZodType<string | undefined>;
export function text(fallback: string): z.ZodType<string>;
export function text(fallback?: string): z.ZodType<string | undefined> {
  return withDefault(z.string(), fallback);
}

/** Required text (a missing or blank value is a problem naming the variable). */
export function requiredText(hint = 'is required'): z.ZodType<string> {
  return z.preprocess(blankToUndefined, z.string({ error: hint }));
}

/** A whole number in [min, max]. */
export function int(options: { default: number; min: number; max: number }): z.ZodType<number> {
  const { min, max } = options;
  return withDefault(
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`)),
    String(options.default),
  ) as unknown as z.ZodType<number>;
}

/** true/false, 1/0, yes/no (case-insensitive). */
export function bool(fallback: boolean): z.ZodType<boolean> {
  return withDefault(
    z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
    String(fallback),
  ) as unknown as z.ZodType<boolean>;
}

/** A duration (`500ms`, `30s`, `5m`, `1h`, `2d`, bare ms) in [min, max] ms. */
export function duration(options: { default: string; min?: number; max?: number }): z.ZodType<number> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return withDefault(
    z.string().transform((v, ctx) => {
      const ms = parseDurationMs(v);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 30s, 5m or 1h' });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} ms and ${max} ms` });
        return z.NEVER;
      }
      return ms;
    }),
    options.default,
  ) as unknown as z.ZodType<number>;
}

/** A comma list; blank entries are dropped; unset → []. */
export function list(): z.ZodType<string[]> {
  return withDefault(
    z.string().transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    '',
  ) as unknown as z.ZodType<string[]>;
}

/** An absolute http(s) URL; a trailing slash is removed so paths can be appended. */
export function url(fallback?: string): z.ZodType<string> {
  return withDefault(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((v) => v.replace(/\/+$/, '')),
    fallback,
  ) as unknown as z.ZodType<string>;
}

/** One of a fixed set of values. */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  fallback: T[number],
): z.ZodType<T[number]> {
  return withDefault(z.enum(values) as unknown as z.ZodType<T[number], string>, fallback) as unknown as z.ZodType<
    T[number]
  >;
}

/** Parses `env` with a zod schema and throws ConfigError naming each offending variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
}

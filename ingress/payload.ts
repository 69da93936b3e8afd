/**
 * Payload validation (docs/architecture.md, "Fluent"): the body must be a JSON object whose required fields are
 * non-empty strings and whose optional string fields, when present, are strings or null. Unknown fields are allowed and
 * kept untouched. Pure; reports every problem at once so a partner fixes the payload in one go.
 */
import { OPTIONAL_STRING_FIELDS, REQUIRED_WEBHOOK_FIELDS, type FluentWebhookPayload } from '../schemas/index.js';
import type { FieldProblem } from './errors.js';

export type PayloadCheck =
  | { ok: true; payload: FluentWebhookPayload }
  | { ok: false; notAnObject: true; actual: string }
  | { ok: false; notAnObject: false; missing: string[]; mistyped: FieldProblem[] };

export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function validatePayload(value: unknown): PayloadCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, notAnObject: true, actual: jsonTypeOf(value) };
  }
  const body = value as Record<string, unknown>;
  const missing: string[] = [];
  const mistyped: FieldProblem[] = [];
  for (const field of REQUIRED_WEBHOOK_FIELDS) {
    const v = body[field];
    if (v === undefined || v === null) missing.push(field);
    else if (typeof v !== 'string') mistyped.push({ field, expected: 'string', actual: jsonTypeOf(v) });
    else if (v.trim() === '') mistyped.push({ field, expected: 'non-empty string', actual: 'empty string' });
  }
  // Optional string fields are stored as Avro strings: a number here would silently become null, so refuse it.
  for (const field of OPTIONAL_STRING_FIELDS) {
    const v = body[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      mistyped.push({ field, expected: 'string or null', actual: jsonTypeOf(v) });
    }
  }
  if (missing.length > 0 || mistyped.length > 0) return { ok: false, notAnObject: false, missing, mistyped };
  return { ok: true, payload: body as FluentWebhookPayload };
}

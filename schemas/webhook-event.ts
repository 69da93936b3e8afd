/**
 * The webhook payload Fluent sends and the Avro record the connector stores, plus lossless conversion between them.
 * See webhook-event.avsc for the record layout.
 */
import { UndecodableRecordError } from './serde.js';

/** Required payload fields (docs/architecture.md, "Fluent"); all strings. */
export const REQUIRED_WEBHOOK_FIELDS = [
  'id',
  'name',
  'accountId',
  'retailerId',
  'entityId',
  'entityRef',
  'entityType',
] as const;

/** Optional string fields stored as typed record fields. */
export const OPTIONAL_STRING_FIELDS = [
  'entityStatus',
  'entitySubtype',
  'rootEntityId',
  'rootEntityRef',
  'rootEntityType',
  'type',
] as const;

/** Optional fields with JSON (object/array) values, stored as JSON text. */
export const JSON_FIELDS = {
  attributes: 'attributesJson',
  meta: 'metaJson',
  trailLogs: 'trailLogsJson',
  errorLogs: 'errorLogsJson',
} as const;

export type RequiredField = (typeof REQUIRED_WEBHOOK_FIELDS)[number];
export type OptionalStringField = (typeof OPTIONAL_STRING_FIELDS)[number];

/** A validated Fluent webhook payload. Unknown fields are allowed and preserved. */
export type FluentWebhookPayload = { [K in RequiredField]: string } & { [K in OptionalStringField]?: string | null } & {
  attributes?: unknown;
  meta?: unknown;
  trailLogs?: unknown;
  errorLogs?: unknown;
  [extra: string]: unknown;
};

export type SignatureAlgorithm = 'SHA512' | 'MD5';

/** The Avro record (field names match webhook-event.avsc). */
export interface FluentWebhookRecord {
  id: string;
  name: string;
  accountId: string;
  retailerId: string;
  entityId: string;
  entityRef: string;
  entityType: string;
  entityStatus: string | null;
  entitySubtype: string | null;
  rootEntityId: string | null;
  rootEntityRef: string | null;
  rootEntityType: string | null;
  type: string | null;
  attributesJson: string | null;
  metaJson: string | null;
  trailLogsJson: string | null;
  errorLogsJson: string | null;
  extraJson: string | null;
  rawBody: Buffer;
  signature: string | null;
  signatureAlgorithm: string | null;
  /** Milliseconds since the epoch. */
  receivedAt: number;
}

const KNOWN_FIELDS = new Set<string>([
  ...REQUIRED_WEBHOOK_FIELDS,
  ...OPTIONAL_STRING_FIELDS,
  ...Object.keys(JSON_FIELDS),
]);

function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export interface RecordContext {
  rawBody: Buffer;
  receivedAt: number;
  signature?: string | null;
  signatureAlgorithm?: SignatureAlgorithm | null;
}

/** Builds the record from a validated payload; no field is dropped. */
export function toWebhookRecord(payload: FluentWebhookPayload, ctx: RecordContext): FluentWebhookRecord {
  // Null prototype: an unknown field named "__proto__" is then plain data, not a prototype assignment that
  // JSON.stringify would silently drop.
  const extra: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let hasExtra = false;
  for (const key of Object.keys(payload)) {
    // An optional string sent as null is stored as null like an absent one; extraJson remembers it was present.
    if (
      !KNOWN_FIELDS.has(key) ||
      (payload[key] === null && (OPTIONAL_STRING_FIELDS as readonly string[]).includes(key))
    ) {
      extra[key] = payload[key];
      hasExtra = true;
    }
  }
  const optional = (key: OptionalStringField): string | null => {
    const v = payload[key];
    return typeof v === 'string' ? v : null;
  };
  return {
    id: payload.id,
    name: payload.name,
    accountId: payload.accountId,
    retailerId: payload.retailerId,
    entityId: payload.entityId,
    entityRef: payload.entityRef,
    entityType: payload.entityType,
    entityStatus: optional('entityStatus'),
    entitySubtype: optional('entitySubtype'),
    rootEntityId: optional('rootEntityId'),
    rootEntityRef: optional('rootEntityRef'),
    rootEntityType: optional('rootEntityType'),
    type: optional('type'),
    attributesJson: jsonOrNull(payload.attributes),
    metaJson: jsonOrNull(payload.meta),
    trailLogsJson: jsonOrNull(payload.trailLogs),
    errorLogsJson: jsonOrNull(payload.errorLogs),
    extraJson: hasExtra ? JSON.stringify(extra) : null,
    rawBody: ctx.rawBody,
    signature: ctx.signature ?? null,
    signatureAlgorithm: ctx.signatureAlgorithm ?? null,
    receivedAt: ctx.receivedAt,
  };
}

/**
 * Rebuilds the payload object from a record (inverse of toWebhookRecord for the parsed JSON). A JSON-text field that
 * does not parse, or an `extraJson` that is not an object's JSON (another producer, a hand-made replay), makes the
 * record undecodable: no later attempt can read it better.
 */
export function toWebhookPayload(record: FluentWebhookRecord): FluentWebhookPayload {
  const payload: FluentWebhookPayload = {
    id: record.id,
    name: record.name,
    accountId: record.accountId,
    retailerId: record.retailerId,
    entityId: record.entityId,
    entityRef: record.entityRef,
    entityType: record.entityType,
  };
  for (const key of OPTIONAL_STRING_FIELDS) {
    const v = record[key];
    if (v !== null) payload[key] = v;
  }
  for (const [field, column] of Object.entries(JSON_FIELDS) as [keyof typeof JSON_FIELDS, JsonColumn][]) {
    const v = record[column];
    if (typeof v === 'string') payload[field] = parseJsonColumn(record, column, v);
  }
  if (record.extraJson !== null) {
    // defineProperty, not assignment: a "__proto__" key must stay an own data property (no prototype change).
    for (const [key, value] of Object.entries(extraFieldsOf(record, record.extraJson))) {
      Object.defineProperty(payload, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return payload;
}

type JsonColumn = (typeof JSON_FIELDS)[keyof typeof JSON_FIELDS] | 'extraJson';

function parseJsonColumn(record: FluentWebhookRecord, column: JsonColumn, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UndecodableRecordError(`record ${record.id}: ${column} is not JSON text`, { cause: error });
  }
}

/** The unknown payload fields: `extraJson` must hold a JSON object (toWebhookRecord never writes anything else). */
function extraFieldsOf(record: FluentWebhookRecord, text: string): Record<string, unknown> {
  const extra = parseJsonColumn(record, 'extraJson', text);
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    const kind = extra === null ? 'null' : Array.isArray(extra) ? 'an array' : `a ${typeof extra}`;
    throw new UndecodableRecordError(`record ${record.id}: extraJson must be a JSON object, got ${kind}`);
  }
  return extra as Record<string, unknown>;
}

/** Partition key: all events of one order share a key so they stay in order (docs/architecture.md, "Kafka contract"). */
export function partitionKey(payload: Pick<FluentWebhookPayload, 'rootEntityRef' | 'entityRef'>): string {
  const root = payload.rootEntityRef;
  return typeof root === 'string' && root.length > 0 ? root : payload.entityRef;
}

/** Order ref a record is about (for logs and handlers). */
export function orderRefOf(
  record: Pick<FluentWebhookRecord, 'rootEntityRef' | 'rootEntityType' | 'entityRef'>,
): string {
  return record.rootEntityRef ?? record.entityRef;
}

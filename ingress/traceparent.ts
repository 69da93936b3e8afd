/**
 * The W3C traceparent each record carries: an incoming valid trace is continued with a new span id, anything else
 * starts a new trace (schemas' newTraceparent).
 */
import { randomBytes } from 'node:crypto';
import { newTraceparent } from '../schemas/index.js';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

// Random ids come from a pooled buffer: one randomBytes call per 4 KiB instead of two per request (seen in profiles).
let randomPool = Buffer.alloc(0);
let randomOffset = 0;
function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomPool = randomBytes(4096);
    randomOffset = 0;
  }
  const hex = randomPool.toString('hex', randomOffset, randomOffset + bytes);
  randomOffset += bytes;
  return hex;
}

/** Continues a valid incoming W3C trace (new span id) or starts a new trace. */
export function traceparentFor(incoming: string | undefined): string {
  const match = incoming ? TRACEPARENT.exec(incoming.trim()) : null;
  if (match && match[1] !== 'ff' && !/^0+$/.test(match[2]!) && !/^0+$/.test(match[3]!)) {
    return `00-${match[2]}-${randomHex(8)}-${match[4]}`;
  }
  return newTraceparent(randomHex);
}

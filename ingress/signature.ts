/**
 * Fluent webhook signatures (docs/architecture.md, "Fluent"): RSA PKCS#1 v1.5 over the raw body bytes, SHA-512 in
 * `fluent-signature`, MD5 in the legacy `flex.signature`. Pure: keys in, verdict out. Never throws on garbage input — a
 * malformed header is simply "not valid".
 *
 * Timing: every input (public keys, signature, body) is public, so there is no secret a timing difference could
 * leak; the RSA comparison itself happens inside OpenSSL. RSA verification with e=65537 is cheap (tens of µs at
 * 1024 bits), but under load the async variant, which hands the work to the libuv thread pool, keeps it off the event
 * loop and measured faster end to end, so it is the default (INGRESS_VERIFY_ASYNC; test/bench/ingress.bench.ts).
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';

export type DigestAlgorithm = 'sha512' | 'md5';

export interface PublicKeyEntry {
  readonly key: KeyObject;
  /** Signature length in bytes this key produces (modulus size); a cheap pre-check before the RSA operation. */
  readonly signatureBytes: number;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BARE_BASE64 = /^[A-Za-z0-9+/=\s]+$/;

/**
 * Parses one configured key: PEM (`-----BEGIN PUBLIC KEY-----`, also with literal `\n` escapes as env vars often
 * carry them) or bare base64 DER SubjectPublicKeyInfo as Fluent publishes it. Throws with a reason on failure.
 */
export function parsePublicKey(text: string): PublicKeyEntry {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('empty key');
  let key: KeyObject;
  if (trimmed.startsWith('-----BEGIN')) {
    key = createPublicKey({ key: trimmed.replace(/\\n/g, '\n'), format: 'pem' });
  } else {
    if (!BARE_BASE64.test(trimmed)) throw new Error('neither PEM nor base64 (unexpected characters)');
    const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`expected an RSA public key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  const modulusLength = key.asymmetricKeyDetails?.modulusLength ?? 0;
  return { key, signatureBytes: Math.ceil(modulusLength / 8) };
}

/** Decodes a base64 signature header; undefined when it is not well-formed base64. */
export function decodeSignature(header: string | undefined): Buffer | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** Synchronous verification against every key; true when any key verifies. */
export function verifySync(
  keys: readonly PublicKeyEntry[],
  algorithm: DigestAlgorithm,
  body: Buffer,
  signatureHeader: string | undefined,
): boolean {
  const signature = decodeSignature(signatureHeader);
  if (!signature) return false;
  let ok = false;
  for (const entry of keys) {
    if (signature.length !== entry.signatureBytes) continue;
    try {
      if (cryptoVerify(algorithm, body, entry.key, signature)) ok = true;
    } catch {
      // OpenSSL refuses some malformed inputs by throwing; that is just "not valid".
    }
    if (ok) break;
  }
  return ok;
}

function verifyOne(entry: PublicKeyEntry, algorithm: DigestAlgorithm, body: Buffer, signature: Buffer) {
  return new Promise<boolean>((resolve) => {
    try {
      cryptoVerify(algorithm, body, entry.key, signature, (error, result) => resolve(!error && result));
    } catch {
      resolve(false);
    }
  });
}

/** Verification on the libuv thread pool (keys are tried one after another, stopping at the first match). */
export async function verifyAsync(
  keys: readonly PublicKeyEntry[],
  algorithm: DigestAlgorithm,
  body: Buffer,
  signatureHeader: string | undefined,
): Promise<boolean> {
  const signature = decodeSignature(signatureHeader);
  if (!signature) return false;
  for (const entry of keys) {
    if (signature.length !== entry.signatureBytes) continue;
    if (await verifyOne(entry, algorithm, body, signature)) return true;
  }
  return false;
}

export type SignatureVerdict =
  { ok: true; algorithm: 'SHA512' | 'MD5'; signature: string } | { ok: false; reason: 'missing' | 'invalid' };

export interface VerifyRequest {
  body: Buffer;
  /** `fluent-signature` header value. */
  sha512Header: string | undefined;
  /** `flex.signature` header value. */
  md5Header: string | undefined;
}

export interface SignatureVerifier {
  verify(request: VerifyRequest): SignatureVerdict | Promise<SignatureVerdict>;
}

/**
 * The policy: `fluent-signature` decides when present; `flex.signature` is consulted only when it is absent and
 * legacy signatures are enabled (a valid MD5 must not rescue a bad SHA-512 signature).
 */
export function createSignatureVerifier(options: {
  keys: readonly PublicKeyEntry[];
  acceptFlexSignature: boolean;
  async?: boolean;
}): SignatureVerifier {
  const { keys, acceptFlexSignature } = options;
  const pick = (request: VerifyRequest) => {
    if (request.sha512Header !== undefined) {
      return { algorithm: 'sha512' as const, header: request.sha512Header, label: 'SHA512' as const };
    }
    if (acceptFlexSignature && request.md5Header !== undefined) {
      return { algorithm: 'md5' as const, header: request.md5Header, label: 'MD5' as const };
    }
    return undefined;
  };
  if (options.async) {
    return {
      async verify(request) {
        const chosen = pick(request);
        if (!chosen) return { ok: false, reason: 'missing' };
        return (await verifyAsync(keys, chosen.algorithm, request.body, chosen.header))
          ? { ok: true, algorithm: chosen.label, signature: chosen.header.trim() }
          : { ok: false, reason: 'invalid' };
      },
    };
  }
  return {
    verify(request) {
      const chosen = pick(request);
      if (!chosen) return { ok: false, reason: 'missing' };
      return verifySync(keys, chosen.algorithm, request.body, chosen.header)
        ? { ok: true, algorithm: chosen.label, signature: chosen.header.trim() }
        : { ok: false, reason: 'invalid' };
    },
  };
}

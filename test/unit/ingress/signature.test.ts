import { describe, expect, it } from 'vitest';
import {
  createSignatureVerifier,
  decodeSignature,
  parsePublicKey,
  verifyAsync,
  verifySync,
} from '../../../ingress/signature.js';
import { createWebhookSigner } from '../../../sim/signing.js';

const a = createWebhookSigner(1024);
const b = createWebhookSigner(2048);
const keys = [parsePublicKey(a.publicKeyBase64), parsePublicKey(b.publicKeyPem)];
const body = Buffer.from('{"id":"1","name":"n"}');

describe('parsePublicKey', () => {
  it('reads bare base64 SPKI, PEM, and PEM with literal \\n escapes', () => {
    expect(parsePublicKey(a.publicKeyBase64).signatureBytes).toBe(128);
    expect(parsePublicKey(b.publicKeyPem).signatureBytes).toBe(256);
    expect(parsePublicKey(a.publicKeyPem.replace(/\n/g, '\\n')).signatureBytes).toBe(128);
  });
  it('refuses garbage, empty and non-RSA keys with a reason', () => {
    expect(() => parsePublicKey('')).toThrow(/empty/);
    expect(() => parsePublicKey('not*base64')).toThrow(/neither PEM nor base64/);
    expect(() => parsePublicKey('AAAA')).toThrow();
  });
});

describe('verification', () => {
  it.each([
    ['sync', verifySync],
    ['async', verifyAsync],
  ] as const)('%s: accepts a signature by any configured key and rejects everything else', async (_n, verify) => {
    expect(await verify(keys, 'sha512', body, a.signSha512(body))).toBe(true);
    expect(await verify(keys, 'sha512', body, b.signSha512(body))).toBe(true);
    expect(await verify(keys, 'md5', body, a.signMd5(body))).toBe(true);
    expect(await verify(keys, 'sha512', Buffer.from(body.toString() + ' '), a.signSha512(body))).toBe(false);
    expect(await verify(keys, 'sha512', body, a.signMd5(body))).toBe(false);
    expect(await verify([keys[0]!], 'sha512', body, b.signSha512(body))).toBe(false);
    for (const garbage of [
      undefined,
      '',
      '!!!!',
      'AAAA',
      'a',
      '====',
      'A'.repeat(172) + '==',
      a.signSha512(body) + 'x',
    ]) {
      expect(await verify(keys, 'sha512', body, garbage)).toBe(false);
    }
  });

  it('decodes only well-formed base64', () => {
    expect(decodeSignature('AAAA')).toEqual(Buffer.from([0, 0, 0]));
    expect(decodeSignature('AAA')).toBeUndefined();
    expect(decodeSignature('AA A')).toBeUndefined();
  });
});

describe('signature policy', () => {
  const strict = createSignatureVerifier({ keys, acceptFlexSignature: false });
  const flex = createSignatureVerifier({ keys, acceptFlexSignature: true, async: true });

  it('requires fluent-signature unless flex is enabled', async () => {
    const md5Header = a.signMd5(body);
    expect(await strict.verify({ body, sha512Header: undefined, md5Header })).toEqual({ ok: false, reason: 'missing' });
    expect(await flex.verify({ body, sha512Header: undefined, md5Header })).toEqual({
      ok: true,
      algorithm: 'MD5',
      signature: md5Header,
    });
  });

  it('lets fluent-signature decide when present (a good MD5 cannot rescue a bad SHA-512)', async () => {
    const verdict = await flex.verify({ body, sha512Header: 'AAAA', md5Header: a.signMd5(body) });
    expect(verdict).toEqual({ ok: false, reason: 'invalid' });
    const ok = await strict.verify({ body, sha512Header: a.signSha512(body), md5Header: undefined });
    expect(ok).toMatchObject({ ok: true, algorithm: 'SHA512' });
  });
});

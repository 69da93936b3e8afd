/**
 * Signs webhook bodies the way Fluent does: RSA PKCS#1 v1.5 over the raw body bytes, SHA-512 for the
 * `fluent-signature` header, MD5 for the legacy `flex.signature`. Public keys are exported as Fluent publishes them:
 * base64 DER SubjectPublicKeyInfo without PEM armour.
 */
import { createPrivateKey, createPublicKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface WebhookSigner {
  /** base64 DER SPKI, the format Fluent publishes. */
  readonly publicKeyBase64: string;
  /** The same key as PEM. */
  readonly publicKeyPem: string;
  readonly privateKey: KeyObject;
  signSha512(body: Buffer | string): string;
  signMd5(body: Buffer | string): string;
  /** Headers for a signed JSON request. */
  headers(body: Buffer | string, options?: { flex?: boolean }): Record<string, string>;
}

/** A signer over a fresh RSA key pair. */
export function createWebhookSigner(modulusLength = 2048): WebhookSigner {
  return signerFor(generateKeyPairSync('rsa', { modulusLength }).privateKey);
}

/** A signer over a fixed PEM private key, so the ingress can be configured with its public half ahead of time. */
export function signerFromPem(pem: string): WebhookSigner {
  return signerFor(createPrivateKey(pem));
}

function signerFor(privateKey: KeyObject): WebhookSigner {
  const publicKey = createPublicKey(privateKey);
  const sign = (algorithm: 'sha512' | 'md5', body: Buffer | string) =>
    createSign(algorithm).update(body).sign(privateKey, 'base64');
  return {
    publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
    signSha512: (body) => sign('sha512', body),
    signMd5: (body) => sign('md5', body),
    headers: (body, options = {}) => ({
      'content-type': 'application/json',
      'fluent-signature': sign('sha512', body),
      ...(options.flex ? { 'flex.signature': sign('md5', body) } : {}),
    }),
  };
}

import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../../../common/index.js';
import { loadIngressConfig, type ConfigError } from '../../../ingress/config.js';
import { createWebhookSigner } from '../../../sim/signing.js';

const signer = createWebhookSigner(1024);

/** Problems of `env`; FLUENT_ACCOUNTS is `*` unless `env` sets it (its own tests below). */
function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadIngressConfig({ FLUENT_ACCOUNTS: '*', ...env });
  } catch (error) {
    expect(errorCodeOf(error)).toBe('CONFIG');
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('FLUENT_ACCOUNTS', () => {
  const keys = () => ({ FLUENT_WEBHOOK_PUBLIC_KEYS: signer.publicKeyBase64 });

  it('is required: unset or blank stops the start (allow-all must be written out as *)', () => {
    expect(problems({ ...keys(), FLUENT_ACCOUNTS: undefined })).toEqual([
      expect.stringMatching(/^FLUENT_ACCOUNTS: is required: .*or \* to accept every account/),
    ]);
    expect(problems({ ...keys(), FLUENT_ACCOUNTS: '  ' })).toHaveLength(1);
    expect(problems({ ...keys(), FLUENT_ACCOUNTS: ' , ' })).toEqual([
      expect.stringMatching(/^FLUENT_ACCOUNTS: at least one entry is required/),
    ]);
  });

  it('parses accounts and account:retailer pairs; refuses * mixed with entries and malformed entries', () => {
    const config = loadIngressConfig({ ...keys(), FLUENT_ACCOUNTS: 'ACME, BETA:7' });
    expect(config.accounts.all).toBe(false);
    expect(loadIngressConfig({ ...keys(), FLUENT_ACCOUNTS: '*' }).accounts).toEqual({ all: true });
    expect(problems({ ...keys(), FLUENT_ACCOUNTS: '*,ACME' })).toEqual([
      expect.stringMatching(/^FLUENT_ACCOUNTS: \* accepts every account and cannot be combined/),
    ]);
    expect(problems({ ...keys(), FLUENT_ACCOUNTS: 'ACME,a b' })).toEqual([
      expect.stringMatching(/^FLUENT_ACCOUNTS: entry 2/),
    ]);
  });
});

describe('loadIngressConfig', () => {
  it('applies documented defaults and freezes the result', () => {
    const config = loadIngressConfig({ FLUENT_ACCOUNTS: '*', FLUENT_WEBHOOK_PUBLIC_KEYS: signer.publicKeyBase64 });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080, maxBodyBytes: 262_144, requestTimeoutMs: 10_000 });
    expect(config.signature.acceptFlexSignature).toBe(false);
    expect(config.connection.topic).toBe('fluent.webhooks');
    expect(config.batch).toEqual({
      lingerMs: 0,
      maxBatchSize: 500,
      maxInFlight: 2,
      produceTimeoutMs: 5_000,
      idempotent: true,
      maxMessageBytes: 1_000_000,
      maxQueuedBytes: 67_108_864,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('treats empty and blank variables as unset (their default)', () => {
    const config = loadIngressConfig({
      FLUENT_ACCOUNTS: '*',
      FLUENT_WEBHOOK_PUBLIC_KEYS: signer.publicKeyBase64,
      PORT: '',
      HOST: '  ',
      FLUENT_ACCEPT_FLEX_SIGNATURE: '',
      INGRESS_VERIFY_ASYNC: ' ',
      INGRESS_DEDUP_MAX_ENTRIES: '',
      INGRESS_RETRY_AFTER_SECONDS: '',
    });
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(config.signature).toMatchObject({ acceptFlexSignature: false, async: true });
    expect(config.dedup.maxEntries).toBe(100_000);
    expect(config.retryAfterSeconds).toBe(5);
  });

  it('reads several keys in PEM and base64', () => {
    const config = loadIngressConfig({
      FLUENT_ACCOUNTS: '*',
      FLUENT_WEBHOOK_PUBLIC_KEYS: ` ${signer.publicKeyBase64} , ${signer.publicKeyPem.replace(/\n/g, '\\n')} `,
      FLUENT_ACCEPT_FLEX_SIGNATURE: 'true',
      PORT: '9000',
      HOST: '0.0.0.0',
    });
    expect(config.signature.publicKeys).toHaveLength(2);
    expect(config.signature.acceptFlexSignature).toBe(true);
    expect(config.http).toMatchObject({ host: '0.0.0.0', port: 9000 });
  });

  it('requires at least one key', () => {
    expect(problems({})).toEqual([expect.stringMatching(/^FLUENT_WEBHOOK_PUBLIC_KEYS: is required/)]);
    expect(problems({ FLUENT_WEBHOOK_PUBLIC_KEYS: ' , ' })).toEqual([
      'FLUENT_WEBHOOK_PUBLIC_KEYS: at least one public key is required',
    ]);
  });

  it('names the bad key by position without echoing key material, and lists every bad variable', () => {
    const list = problems({
      FLUENT_WEBHOOK_PUBLIC_KEYS: `${signer.publicKeyBase64},not-a-key!,MIIBIjANBgkq`,
      PORT: 'eighty',
      WEBHOOK_MAX_BODY_BYTES: '10',
      FLUENT_ACCEPT_FLEX_SIGNATURE: 'maybe',
    });
    expect(list).toHaveLength(5);
    expect(list.join('\n')).toMatch(/FLUENT_WEBHOOK_PUBLIC_KEYS: entry 2 of 3 is not a usable RSA public key/);
    expect(list.join('\n')).toMatch(/FLUENT_WEBHOOK_PUBLIC_KEYS: entry 3 of 3 is not a usable RSA public key/);
    expect(list.join('\n')).toMatch(/^PORT: /m);
    expect(list.join('\n')).toMatch(/^WEBHOOK_MAX_BODY_BYTES: /m);
    expect(list.join('\n')).toMatch(/^FLUENT_ACCEPT_FLEX_SIGNATURE: /m);
    expect(list.join('\n')).not.toContain('MIIBIjANBgkq');
  });
});

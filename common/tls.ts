/**
 * TLS material and secrets from the environment (docs/configuration.md, "Kafka and registry security"): each one
 * either inline in a variable (`KAFKA_SSL_CA`) or in a mounted file named by its `_FILE` twin (`KAFKA_SSL_CA_FILE`,
 * how Kubernetes Secrets are mounted). Problems name the variable and, for files, the path; contents never appear
 * in a message. Material is checked at start by building a TLS context with it, so a broken certificate or a key
 * that does not belong to its certificate stops the start instead of failing every connection later.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';

/** PEM material for one TLS client: the CA to trust, and the client certificate and key for mutual TLS. */
export interface TlsMaterial {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

export type PemKind = 'certificate' | 'private key';

const PEM_MARKER: Record<PemKind, RegExp> = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  'private key': /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/,
};

const blank = (value: unknown): boolean => value === undefined || (typeof value === 'string' && value.trim() === '');

/**
 * Inline PEM text. A literal `\n` counts as a line break, as with FLUENT_WEBHOOK_PUBLIC_KEYS: some deployment tools
 * cannot put real line breaks in a variable.
 */
export function pemText(kind: PemKind): z.ZodType<string | undefined> {
  return z.preprocess(
    (v) => (blank(v) ? undefined : String(v).replace(/\\n/g, '\n').trim()),
    z
      .string()
      .refine((pem) => PEM_MARKER[kind].test(pem), `must be PEM text (-----BEGIN ${kind.toUpperCase()}-----…)`)
      .optional(),
  );
}

/** A file path whose content is read at start; `check` may refuse the content (without quoting it). */
function fileContent(check?: { test: (content: string) => boolean; message: string }): z.ZodType<string | undefined> {
  return z.preprocess(
    (v) => (blank(v) ? undefined : String(v).trim()),
    z
      .string()
      .transform((path, ctx) => {
        let content: string;
        try {
          content = readFileSync(path, 'utf8');
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${(error as NodeJS.ErrnoException).code})` });
          return z.NEVER;
        }
        if (check && !check.test(content)) {
          ctx.addIssue({ code: 'custom', message: `${path} ${check.message}` });
          return z.NEVER;
        }
        return content;
      })
      .optional(),
  );
}

/** A file holding PEM material (a mounted Secret key such as `ca.crt`, `tls.crt`, `tls.key`). */
export function pemFile(kind: PemKind): z.ZodType<string | undefined> {
  return fileContent({
    test: (content) => PEM_MARKER[kind].test(content),
    message: `holds no PEM ${kind} (-----BEGIN ${kind.toUpperCase()}-----…)`,
  });
}

/** A file holding one secret (a password, a client secret); trailing line breaks are not part of it. */
export function secretFile(): z.ZodType<string | undefined> {
  return fileContent().transform((content) => content?.replace(/[\r\n]+$/, ''));
}

/**
 * Whether TLS can be set up with this material, as a problem naming the variables (OpenSSL's reason, never the
 * material), or undefined. `names` are the variables the parts came from.
 */
export function tlsMaterialProblem(
  material: TlsMaterial,
  names: { ca: string; cert: string; key: string },
): string | undefined {
  if ((material.cert === undefined) !== (material.key === undefined)) {
    return `${names.cert} and ${names.key} go together (mutual TLS needs the client certificate and its key)`;
  }
  if (material.ca !== undefined) {
    const problem = contextProblem({ ca: material.ca });
    if (problem) return `${names.ca}: not a usable CA certificate (${problem})`;
  }
  if (material.cert !== undefined && material.key !== undefined) {
    const problem = contextProblem({ cert: material.cert, key: material.key });
    if (problem) {
      return /mismatch/i.test(problem)
        ? `${names.key} is not the private key of ${names.cert}`
        : `${names.cert} / ${names.key}: not a usable certificate and key (${problem})`;
    }
  }
  return undefined;
}

function contextProblem(options: { ca?: string; cert?: string; key?: string }): string | undefined {
  try {
    createSecureContext(options);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Node TLS options for a client: only the parts that are set (Node then trusts its default CAs). */
export function tlsOptions(material: TlsMaterial): { ca?: string; cert?: string; key?: string } {
  return {
    ...(material.ca !== undefined ? { ca: material.ca } : {}),
    ...(material.cert !== undefined ? { cert: material.cert } : {}),
    ...(material.key !== undefined ? { key: material.key } : {}),
  };
}

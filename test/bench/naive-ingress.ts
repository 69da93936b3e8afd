/**
 * The naive ingress the benchmark compares against (test/bench/README.md, "Targets"): the same verification, validation, Avro encoding
 * and headers as the real one, but one awaited `producer.send` per request, no batching, no dedup.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import { toWebhookRecord, type WebhookSerde } from '../../schemas/index.js';
import { traceparentFor, WEBHOOK_PATH } from '../../ingress/app.js';
import { validatePayload } from '../../ingress/payload.js';
import { createSignatureVerifier, type PublicKeyEntry } from '../../ingress/signature.js';
import { webhookMessage } from './support/common.js';

export function buildNaiveApp(options: {
  keys: readonly PublicKeyEntry[];
  /** Same verifier mode as the ingress under comparison (thread pool or inline), so only batching differs. */
  verifyAsync: boolean;
  producer: Producer;
  serde: WebhookSerde;
  topic: string;
}): FastifyInstance {
  const verifier = createSignatureVerifier({
    keys: options.keys,
    acceptFlexSignature: false,
    async: options.verifyAsync,
  });
  const app = Fastify({ logController: new LogController({ disableRequestLogging: true }) });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post(WEBHOOK_PATH, async (request, reply) => {
    const body = request.body as Buffer;
    const signature = request.headers['fluent-signature'] as string | undefined;
    const verdict = await verifier.verify({ body, sha512Header: signature, md5Header: undefined });
    if (!verdict.ok) return reply.code(401).send({ error: 'signature' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return reply.code(400).send({ error: 'json' });
    }
    const check = validatePayload(parsed);
    if (!check.ok) return reply.code(400).send({ error: 'fields' });
    const payload = check.payload;
    const receivedAt = Date.now();
    const value = await options.serde.encode(
      options.topic,
      toWebhookRecord(payload, { rawBody: body, receivedAt, signature: signature!, signatureAlgorithm: 'SHA512' }),
    );
    try {
      await options.producer.send({
        topic: options.topic,
        acks: -1,
        messages: [webhookMessage(payload, value, receivedAt, traceparentFor(undefined))],
      });
    } catch {
      return reply.code(503).send({ error: 'kafka' });
    }
    return reply.code(200).send({ status: 'accepted', id: payload.id });
  });
  return app;
}

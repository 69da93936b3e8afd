/**
 * `schemas register`: registers the webhook record's Avro schema (schemas/webhook-event.avsc) under the main topic's
 * value subject, for deploy pipelines where the registry denies the services writes (SCHEMA_REGISTRY_AUTO_REGISTER
 * =false; docs/configuration.md). Idempotent: a schema already there is reported with its version and id and nothing
 * is written. Talks to the registry only (SCHEMA_REGISTRY_* settings, TLS and basic auth included), never to Kafka.
 */
import { Command } from 'commander';
import { createRegistry, registerWebhookSchema, type RegisteredSchema } from '../../schemas/index.js';
import { println, type CliIo } from '../io.js';
import { settingsOf } from '../session.js';

const EXAMPLES = `
Examples:
  $ fc-connector schemas register
  $ fc-connector schemas register --topic fluent.webhooks --json

Prints the subject, the schema version under it and the registry id; running it again changes nothing.
Needs write access to the subject (the services only need to read it when SCHEMA_REGISTRY_AUTO_REGISTER=false).`;

export function schemasCommand(io: CliIo): Command {
  const schemas = new Command('schemas').description("manage the webhook record's schema in the schema registry");
  schemas
    .command('register')
    .description('register the webhook schema under <topic>-value; idempotent, prints subject, version and id')
    .option('--json', 'print one JSON document')
    .addHelpText('after', EXAMPLES)
    .action(async (options: { json?: boolean }, command: Command) => {
      const settings = settingsOf(io, command);
      const result = await registerWebhookSchema(
        createRegistry({ ...settings.connection.registry, timeoutMs: 10_000 }),
        settings.connection.topic,
      );
      println(io.stdout, options.json ? JSON.stringify(result) : renderRegistered(result));
    });
  return schemas;
}

export function renderRegistered(result: RegisteredSchema): string {
  const what = result.created ? 'registered' : 'already registered, nothing changed';
  return `subject ${result.subject}: version ${result.version}, id ${result.id} (${what})`;
}

/** Opens the connection a command needs and always closes it. */
import type { Command } from 'commander';
import { resolveSettings, type CliSettings, type GlobalOptions } from './context.js';
import type { CliIo } from './io.js';
import { connectKafka, type CliKafka } from './kafka.js';

export interface Session {
  readonly io: CliIo;
  readonly settings: CliSettings;
  readonly client: CliKafka;
  readonly now: () => number;
}

export function settingsOf(io: CliIo, command: Command): CliSettings {
  return resolveSettings(io, command.optsWithGlobals<GlobalOptions>());
}

export async function withSession<T>(io: CliIo, command: Command, body: (session: Session) => Promise<T>): Promise<T> {
  const settings = settingsOf(io, command);
  const client = await connectKafka(settings.connection.kafka, {
    connectTimeoutMs: settings.connectTimeoutMs,
    logTo: settings.verbose ? io.stderr : undefined,
  });
  try {
    return await body({ io, settings, client, now: io.now ?? Date.now });
  } finally {
    await client.close().catch(() => undefined);
  }
}

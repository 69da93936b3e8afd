/**
 * CLI errors are connector errors (common/errors.ts) whose catalogue entry (common/error-codes.ts) names the process
 * exit code: 2 for usage (bad arguments or configuration the operator must fix in the command line or environment),
 * 1 for runtime failures (broker unreachable, unknown topic, refused operation), 130 for an interrupted command
 * (the shell convention for SIGINT). The helpers below only word the messages operators see.
 */
import { ConnectorError, ERROR_CODES, ExitCode, isConnectorError, type ErrorCode } from '../common/index.js';

/** The catalogue codes the CLI raises (each has an `exitCode`). */
export type CliErrorCode =
  | 'CLI_ERROR'
  | 'USAGE'
  | 'BROKERS_UNREACHABLE'
  | 'UNKNOWN_TOPIC'
  | 'GROUP_ACTIVE'
  | 'INTERRUPTED'
  | 'REPLICATION_FACTOR'
  | 'UNKNOWN_PARTITION'
  | 'OFFSET_OUT_OF_RANGE'
  | 'CHECKPOINT_CORRUPT'
  | 'REPLAY_LOCKED';

export class CliError extends ConnectorError {
  readonly exitCode: number;

  constructor(code: CliErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.exitCode = catalogueExitCode(code) ?? ExitCode.runtime;
  }
}

export function usageError(message: string): CliError {
  return new CliError('USAGE', message);
}

export function brokersUnreachable(brokers: readonly string[], cause: unknown): CliError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CliError(
    'BROKERS_UNREACHABLE',
    `cannot reach Kafka brokers ${brokers.join(', ')}: ${reason}\n` +
      'Check KAFKA_BROKERS (or --brokers) and that the brokers are running and reachable from here.',
    { cause },
  );
}

export function unknownTopics(topics: readonly string[]): CliError {
  const plural = topics.length > 1;
  return new CliError(
    'UNKNOWN_TOPIC',
    `topic${plural ? 's' : ''} ${topics.join(', ')} do${plural ? '' : 'es'} not exist.\n` +
      'Create the connector topics with `fc-connector topics create`, or check --topic / TOPIC_WEBHOOKS.',
  );
}

export function groupActive(groupId: string, state: string, members: number): CliError {
  return new CliError(
    'GROUP_ACTIVE',
    `consumer group ${groupId} has ${members} live member${members === 1 ? '' : 's'} (state ${state}); ` +
      'offsets can only be reset while the group is empty.\n' +
      'Stop every processor instance of this group (e.g. scale the deployment to 0), then run the command again.',
  );
}

/** Ctrl-C (or an aborted signal) stopped a command cleanly. */
export function interrupted(message: string): CliError {
  return new CliError('INTERRUPTED', message);
}

/** What `run` reports for an error it caught: the exit code, and the line for stderr (none when already printed). */
export interface ErrorOutcome {
  readonly exitCode: number;
  readonly message?: string;
}

/**
 * Decided by code and brand, never `instanceof` (a second copy of a module must not change an exit code):
 * commander's own errors (`commander.*` codes) have printed their message already; a connector error exits with its
 * catalogue entry's code, except CONFIG, which the CLI reports as a usage error; anything else is a runtime failure.
 */
export function errorOutcome(error: unknown): ErrorOutcome {
  if (isCommanderError(error)) {
    // Help and version are "errors" with exit code 0; everything else is a usage error.
    return { exitCode: error.exitCode === 0 || error.code === 'commander.help' ? ExitCode.ok : ExitCode.usage };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isConnectorError(error)) {
    const exitCode = error.code === 'CONFIG' ? ExitCode.usage : (catalogueExitCode(error.code) ?? ExitCode.runtime);
    return { exitCode, message };
  }
  return { exitCode: ExitCode.runtime, message };
}

function isCommanderError(error: unknown): error is { code: string; exitCode: number } {
  const { code } = (error ?? {}) as { code?: unknown };
  return typeof code === 'string' && code.startsWith('commander.');
}

function catalogueExitCode(code: string): number | undefined {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode].exitCode : undefined;
}

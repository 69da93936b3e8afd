/**
 * CLI errors carry the process exit code: 2 for usage (bad arguments or configuration the operator must fix in the
 * command line or environment), 1 for runtime failures (broker unreachable, unknown topic, refused operation), and
 * 130 for an interrupted command (the shell convention for SIGINT).
 */
export const ExitCode = { ok: 0, runtime: 1, usage: 2, interrupted: 130 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.runtime,
    readonly code: string = 'CLI_ERROR',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage, 'USAGE');
  }
}

export class BrokersUnreachableError extends CliError {
  constructor(brokers: readonly string[], cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `cannot reach Kafka brokers ${brokers.join(', ')}: ${reason}\n` +
        'Check KAFKA_BROKERS (or --brokers) and that the brokers are running and reachable from here.',
      ExitCode.runtime,
      'BROKERS_UNREACHABLE',
      { cause },
    );
  }
}

export class UnknownTopicError extends CliError {
  constructor(topics: readonly string[]) {
    super(
      `topic${topics.length > 1 ? 's' : ''} ${topics.join(', ')} do${topics.length > 1 ? '' : 'es'} not exist.\n` +
        'Create the connector topics with `fc-connector topics create`, or check --topic / TOPIC_WEBHOOKS.',
      ExitCode.runtime,
      'UNKNOWN_TOPIC',
    );
  }
}

export class GroupActiveError extends CliError {
  constructor(groupId: string, state: string, members: number) {
    super(
      `consumer group ${groupId} has ${members} live member${members === 1 ? '' : 's'} (state ${state}); ` +
        'offsets can only be reset while the group is empty.\n' +
        'Stop every processor instance of this group (e.g. scale the deployment to 0), then run the command again.',
      ExitCode.runtime,
      'GROUP_ACTIVE',
    );
  }
}

/** Ctrl-C (or an aborted signal) stopped a command cleanly. */
export class InterruptedError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.interrupted, 'INTERRUPTED');
  }
}

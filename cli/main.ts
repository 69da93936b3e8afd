/**
 * `fc-connector`: operations CLI for the connector's Kafka side (README.md, "Commands").
 *
 *   topics create|describe · dlq list|show · replay · offsets reset · reconcile
 *
 * `run(argv, io)` is the whole program and returns the exit code (0 ok, 1 runtime failure, 2 usage, 130
 * interrupted); the bottom of this file wires it to the real process when executed directly.
 */
import '../common/node-warnings.js';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { ExitCode } from '../common/index.js';
import { dlqCommand } from './commands/dlq.js';
import { offsetsCommand } from './commands/offsets.js';
import { reconcileCommand } from './commands/reconcile.js';
import { replayCommand } from './commands/replay.js';
import { schemasCommand } from './commands/schemas.js';
import { topicsCommand } from './commands/topics.js';
import { errorOutcome } from './errors.js';
import { processIo, type CliIo } from './io.js';
import { intParser, parseTopicName } from './parse.js';

const ROOT_HELP = `
Connection and names come from the environment (KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_SSL,
KAFKA_SASL_*, SCHEMA_REGISTRY_URL, TOPIC_WEBHOOKS, RETRY_DELAYS, CONSUMER_GROUP_ID); flags win.
Replay checkpoints live in FC_CONNECTOR_STATE_DIR (default .fc-connector; see \`replay --help\`).

Examples:
  $ fc-connector topics create --partitions 12
  $ fc-connector topics describe
  $ fc-connector schemas register                                            # deploy step (no auto-register)
  $ fc-connector dlq list --since now-1d --error-class CONFIGURATION
  $ fc-connector dlq show 3:1200
  $ fc-connector replay --error-class CONFIGURATION --dry-run
  $ fc-connector replay --from-topic fluent.webhooks --since 2024-05-01T10:00:00Z --until 2024-05-01T11:00:00Z
  $ fc-connector offsets reset --to-datetime 2024-05-01T10:00:00Z            # plan; --execute commits it
  $ fc-connector reconcile --since 6h --dry-run                              # webhooks lost in an outage

Exit codes: 0 ok, 1 runtime failure, 2 bad arguments or configuration, 130 interrupted.`;

/** package.json version; the file sits one level up from the source (cli/) and two from dist/cli/. */
function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('fc-connector')
    .description('Operations CLI for the Fluent → commercetools connector: topics, dead letters, replay, offsets')
    .addOption(new Option('--brokers <list>', 'Kafka brokers host:port,… (overrides KAFKA_BROKERS)'))
    .addOption(
      new Option(
        '--topic <name>',
        'main topic; retry and DLQ names derive from it (overrides TOPIC_WEBHOOKS)',
      ).argParser(parseTopicName),
    )
    .addOption(new Option('--group <id>', "the processor's consumer group (overrides CONSUMER_GROUP_ID)"))
    .addOption(
      new Option(
        '--retry-tiers <n>',
        'number of retry tier topics (default: entries in RETRY_DELAYS, else 3)',
      ).argParser(intParser(0, 20)),
    )
    .addOption(
      new Option('--connect-timeout <ms>', 'broker connection timeout')
        .argParser(intParser(100, 120_000))
        .default(3_000),
    )
    .option('--verbose', 'print Kafka client warnings to stderr')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ROOT_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  program.addCommand(topicsCommand(io));
  program.addCommand(dlqCommand(io));
  program.addCommand(replayCommand(io));
  program.addCommand(offsetsCommand(io));
  program.addCommand(schemasCommand(io));
  program.addCommand(reconcileCommand(io));
  // Every subcommand reports through io and throws instead of exiting.
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
    command.showHelpAfterError('(run with --help for usage)');
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** Runs the CLI and returns the exit code. Never calls process.exit. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    const outcome = errorOutcome(error);
    if (outcome.message !== undefined) io.stderr.write(`error: ${outcome.message}\n`);
    return outcome.exitCode;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Entry point used by bin/fc-connector.js and `tsx cli/main.ts`. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) {
      process.stderr.write(`\n${signal} again: exiting now.\n`);
      process.exit(ExitCode.interrupted);
    }
    process.stderr.write(`\n${signal}: stopping after the current batch (press Ctrl-C again to quit immediately)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(argv, processIo(controller.signal));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (isMain()) {
  process.exitCode = await main();
}

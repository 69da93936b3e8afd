import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ConfigError, ERROR_BRAND, ExitCode, isConnectorError } from '../../../common/index.js';
import {
  brokersUnreachable,
  CliError,
  errorOutcome,
  groupActive,
  interrupted,
  unknownTopics,
  usageError,
} from '../../../cli/errors.js';

describe('CLI errors', () => {
  it('are connector errors whose exit code comes from the catalogue', () => {
    const error = groupActive('g', 'Stable', 2);
    expect(isConnectorError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'GROUP_ACTIVE', exitCode: ExitCode.runtime, retriable: false });
    expect(error.message).toContain('consumer group g has 2 live members (state Stable)');
    expect(usageError('x').exitCode).toBe(ExitCode.usage);
    expect(interrupted('x').exitCode).toBe(ExitCode.interrupted);
    expect(new CliError('REPLICATION_FACTOR', 'x').exitCode).toBe(ExitCode.usage);
    expect(brokersUnreachable(['a:1'], new Error('refused'))).toMatchObject({
      code: 'BROKERS_UNREACHABLE',
      retriable: true,
    });
    expect(unknownTopics(['a', 'b']).message).toMatch(/^topics a, b do not exist\./);
    expect(unknownTopics(['a']).message).toMatch(/^topic a does not exist\./);
  });

  it('decide the outcome by code and brand', () => {
    expect(errorOutcome(unknownTopics(['t']))).toEqual({ exitCode: 1, message: expect.stringContaining('topic t') });
    expect(errorOutcome(interrupted('stopped'))).toEqual({ exitCode: 130, message: 'stopped' });
    // A configuration error is the operator's to fix: a usage error, not the services' exit 78.
    expect(errorOutcome(new ConfigError(['KAFKA_BROKERS: bad']))).toMatchObject({ exitCode: ExitCode.usage });
    // A CLI error from another copy of the module: recognised by its brand and code.
    const foreign = Object.assign(new Error('group busy'), { [ERROR_BRAND]: true, code: 'GROUP_ACTIVE' });
    expect(errorOutcome(foreign)).toEqual({ exitCode: 1, message: 'group busy' });
    // A branded error without an exit code in the catalogue, and a plain bug: runtime failures.
    const registry = Object.assign(new Error('registry down'), { [ERROR_BRAND]: true, code: 'REGISTRY_UNAVAILABLE' });
    expect(errorOutcome(registry)).toEqual({ exitCode: 1, message: 'registry down' });
    expect(errorOutcome(new TypeError('oops'))).toEqual({ exitCode: 1, message: 'oops' });
    expect(errorOutcome('text')).toEqual({ exitCode: 1, message: 'text' });
  });

  it('leave commander errors to commander (already printed): help and version are ok, the rest usage', () => {
    expect(errorOutcome(new CommanderError(0, 'commander.version', '1.0.0'))).toEqual({ exitCode: 0 });
    expect(errorOutcome(new CommanderError(1, 'commander.help', ''))).toEqual({ exitCode: 0 });
    expect(errorOutcome(new CommanderError(1, 'commander.unknownOption', 'x'))).toEqual({ exitCode: 2 });
  });
});

/**
 * docker-compose.yml checks without a Docker engine: the Compose Specification JSON schema (vendored, offline) and
 * the semantics `docker compose up` would only reveal at run time (dependency targets and conditions, variable
 * names, the sim profile's env file and demo key).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CORE_ENV,
  composeCommand,
  describeFailures,
  repoRoot,
  requireTools,
  run,
  validate,
  validatorPython,
  type Manifest,
} from './support/tools.js';

const composeText = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as Manifest;
const services = compose.services as Record<string, Manifest>;
const simEnvText = readFileSync(join(repoRoot, 'deploy/docker/sim/sim.env'), 'utf8');
const simEnv = new Map(
  simEnvText
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
);

describe.runIf(requireTools({ 'kubernetes-validate venv (jsonschema)': validatorPython }))(
  'docker-compose.yml schema',
  () => {
    it('validates against the Compose Specification schema', () => {
      const report = validate('compose', composeText);
      expect(report.ok, describeFailures(report)).toBe(true);
    });

    it('rejects a file the Compose Specification does not allow (the check can fail)', () => {
      const broken = composeText.replace(
        '    image: apache/kafka:3.9.1',
        '    image: apache/kafka:3.9.1\n    restart_policy: always',
      );
      const report = validate('compose', broken);
      expect(report.ok).toBe(false);
      expect(describeFailures(report)).toContain("services.kafka: 'restart_policy' does not match");
    });
  },
);

describe.runIf(requireTools({ 'docker compose (or .tools/bin/docker-compose)': composeCommand?.[0] }))(
  'docker compose config (no engine needed)',
  () => {
    const compose = (args: string[]) => {
      const [command, ...prefix] = composeCommand as readonly string[];
      return run(command as string, [...prefix, '-f', 'docker-compose.yml', ...args]);
    };

    it('renders with the README command (the sim env file, every profile) and passes the settings through', () => {
      const result = compose([
        '--env-file',
        'deploy/docker/sim/sim.env',
        '--profile',
        'sim',
        'config',
        '--format',
        'json',
      ]);
      expect(result.status, result.stderr).toBe(0);
      const config = JSON.parse(result.stdout) as Manifest;
      expect(Object.keys(config.services).sort()).toEqual(
        expect.arrayContaining(['ingress', 'kafka', 'processor', 'registry', 'sim', 'topics']),
      );
      expect(config.services.ingress.environment.FLUENT_WEBHOOK_PUBLIC_KEYS).toBe(
        simEnv.get('FLUENT_WEBHOOK_PUBLIC_KEYS'),
      );
      expect(config.services.processor.environment.FLUENT_BASE_URL).toBe('http://sim:4000');
    });

    it('refuses to start without an env file, naming the missing variable (no exit-78 restart loop)', () => {
      const result = compose(['--env-file', '/dev/null', 'config', '--quiet']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(
        /required variable (FLUENT_WEBHOOK_PUBLIC_KEYS|FLUENT_ACCOUNTS|FLUENT_BASE_URL) is missing a value/,
      );
      expect(result.stderr).toContain('use an env file');
    });
  },
);

describe('docker-compose.yml semantics', () => {
  it('runs the pinned Kafka (KRaft) and Apicurio Registry images', () => {
    expect(services.kafka?.image).toBe('apache/kafka:3.9.1');
    expect(services.kafka?.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.kafka?.environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(services.registry?.image).toBe('apicurio/apicurio-registry:3.0.9');
    expect(services.ingress?.environment.SCHEMA_REGISTRY_URL).toBe('http://registry:8080/apis/ccompat/v7');
  });

  it('has every depends_on target defined, with a condition the target can satisfy', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, spec] of Object.entries((service.depends_on ?? {}) as Record<string, Manifest>)) {
        expect(Object.keys(services), `${name} → ${target}`).toContain(target);
        const dependency = services[target] as Manifest;
        if (spec.condition === 'service_healthy') expect(dependency.healthcheck, `${target} healthcheck`).toBeDefined();
        if (spec.condition === 'service_completed_successfully') expect(dependency.restart).not.toBe('unless-stopped');
        // A service outside a profile must not wait for one inside it (compose would refuse to start it).
        if (!service.profiles) expect(dependency.profiles, `${name} → ${target}`).toBeUndefined();
      }
    }
  });

  it('provisions topics once before ingress and processor start', () => {
    expect(services.topics?.command.slice(0, 3)).toEqual(['fc-connector', 'topics', 'create']);
    for (const name of ['ingress', 'processor']) {
      expect(services[name]?.depends_on.topics.condition).toBe('service_completed_successfully');
      expect(services[name]?.healthcheck).toBeDefined();
    }
  });

  it('gives ingress and processor the core variables of docs/configuration.md', () => {
    const ingress = Object.keys(services.ingress?.environment ?? {});
    const processor = Object.keys(services.processor?.environment ?? {});
    const withoutCredentials = (names: readonly string[]) => names.filter((n) => !/SASL|REGISTRY_(USER|PASS)/.test(n));
    // The local broker and registry need no credentials; every other core variable is wired.
    for (const name of withoutCredentials([...CORE_ENV.common, ...CORE_ENV.ingress])) expect(ingress).toContain(name);
    for (const name of withoutCredentials([...CORE_ENV.common, ...CORE_ENV.processor])) {
      expect(processor).toContain(name);
    }
  });

  it('runs reconcile only in its opt-in profile, on a window longer than its interval', () => {
    const reconcile = services.reconcile as Manifest;
    // `$$` is compose's escape: the container's shell reads $RECONCILE_WINDOW.
    expect(reconcile.command.join(' ')).toContain('node /app/dist/cli/main.js reconcile --since "$$RECONCILE_WINDOW"');
    expect(reconcile.environment).toMatchObject({
      RECONCILE_WINDOW: '${RECONCILE_WINDOW:-26h}',
      RECONCILE_INTERVAL_SECONDS: '${RECONCILE_INTERVAL_SECONDS:-86400}',
    });
    expect(reconcile.environment.FLUENT_PASSWORD).toBeDefined();
  });

  it('runs the connector containers unprivileged with a read-only root filesystem', () => {
    for (const name of ['topics', 'ingress', 'processor', 'reconcile']) {
      expect(services[name]).toMatchObject({ image: 'fc-connector:local', read_only: true, cap_drop: ['ALL'] });
      expect(services[name]?.tmpfs).toContain('/tmp');
    }
  });

  it('keeps the simulators in the sim profile, driven by sim.env and the demo key', () => {
    const profiled = Object.entries(services).filter(([, s]) => s.profiles);
    expect(profiled.map(([n, s]) => [n, s.profiles])).toEqual([
      ['reconcile', ['reconcile']],
      ['sim', ['sim']],
    ]);
    expect(services.sim?.build.target).toBe('sim');
    // Every sim.env setting is consumed by the compose file.
    for (const key of simEnv.keys()) expect(composeText, key).toMatch(new RegExp(`\\$\\{${key}:[-?]`));
    // The ingress trusts exactly the demo key the simulator signs with.
    const pem = readFileSync(join(repoRoot, 'deploy/docker/sim/demo-signing-key.pem'), 'utf8');
    const publicKey = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(simEnv.get('FLUENT_WEBHOOK_PUBLIC_KEYS')).toBe(publicKey);
    expect(services.sim?.environment.SIM_SIGNING_KEY_FILE).toBe('/app/deploy/docker/sim/demo-signing-key.pem');
  });
});

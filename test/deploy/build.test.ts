/**
 * What the image runs, without Docker: `npm run build` emits dist/ (schemas, common, ingress, processor, cli; never
 * sim/ or test/) with the run-time assets beside the JS, and the compiled entry points start from dist/ alone (imports
 * resolve, .avsc/.graphql/.sdl files are found). The compiled CLI is dist/cli/main.js, which bin/fc-connector.js runs
 * where no sources ship.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/tools.js';

const dist = join(repoRoot, 'dist');

function runCompiled(script: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(dist, script), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('npm run build (the image build stage)', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: 'pipe', timeout: 180_000 });
  }, 200_000);

  it('emits the three entry points, the shared runtime and every run-time asset', () => {
    for (const file of [
      'ingress/server.js',
      'processor/main.js',
      'cli/main.js',
      'common/index.js',
      'schemas/index.js',
      'schemas/webhook-event.avsc',
      'processor/commercetools/update-order.graphql',
      'processor/commercetools/order-by-number.graphql',
      'processor/fluent/order-by-id.graphql',
      'processor/fluent/settings.graphql',
      'processor/commercetools/reference/commercetools-graphql-schema.sdl',
    ]) {
      expect(existsSync(join(dist, file)), file).toBe(true);
    }
  });

  it('compiles nothing from sim/ or test/ (the image does not depend on them)', () => {
    const sources = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(sources.filter((f) => /^(sim|test)\//.test(f))).toEqual([]);
  });

  it('runs the compiled CLI', () => {
    const result = runCompiled('cli/main.js', ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('topics');
  });

  it('starts the compiled services far enough to validate configuration (and name what is wrong)', () => {
    const ingress = runCompiled('ingress/server.js', [], {
      FLUENT_WEBHOOK_PUBLIC_KEYS: 'not-a-key',
      FLUENT_ACCOUNTS: '*',
    });
    expect(ingress.status).toBe(78); // EX_CONFIG
    expect(ingress.stderr).toMatch(/FLUENT_WEBHOOK_PUBLIC_KEYS/);

    // Valid runtime config but no handler config: fails at handler creation, after loading documents and schema.
    const processor = runCompiled('processor/main.js', [], { PORT: '0' });
    expect(processor.status).toBe(78);
    expect(processor.stderr + processor.stdout).toMatch(/FLUENT_BASE_URL/);
  });
});

/**
 * Structural checks of deploy/Dockerfile and its build inputs (no Docker engine or hadolint here): multi-stage with a
 * production-only runtime, non-root, healthcheck, tini, entry points that match what `npm run build` emits, and a
 * .dockerignore that lets every COPY source into the build context.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/tools.js';

const dockerfile = readFileSync(join(repoRoot, 'deploy/Dockerfile'), 'utf8');
const entrypoint = readFileSync(join(repoRoot, 'deploy/docker/entrypoint.sh'), 'utf8');
const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** Instructions with line continuations joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = instructions.reduce<{ name: string; lines: string[] }[]>((acc, line) => {
  const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
  if (from) acc.push({ name: from[1] as string, lines: [] });
  else acc.at(-1)?.lines.push(line);
  return acc;
}, []);
const runtime = stages.at(-1);

describe('deploy/Dockerfile', () => {
  it('is multi-stage and ends with the runtime stage (the default target)', () => {
    expect(stages.map((s) => s.name)).toEqual(['deps', 'build', 'prod-deps', 'sim', 'runtime']);
    expect(instructions.find((l) => l.startsWith('ARG NODE_IMAGE='))).toMatch(/^ARG NODE_IMAGE=node:(2[2-9])-/);
  });

  it('installs only production dependencies for the runtime and copies compiled JS, not sources', () => {
    const prodDeps = stages.find((s) => s.name === 'prod-deps');
    expect(prodDeps?.lines.some((l) => /npm ci .*--omit=dev/.test(l))).toBe(true);
    const copies = runtime?.lines.filter((l) => l.startsWith('COPY')) ?? [];
    expect(copies).toContain('COPY --from=prod-deps /app/node_modules ./node_modules');
    expect(copies).toContain('COPY --from=build /app/dist ./dist');
    expect(copies.some((l) => /COPY (ingress|processor|schemas) /.test(l))).toBe(false);
  });

  it('runs as a non-root user with tini, a HEALTHCHECK and the ingress as default command', () => {
    const user = runtime?.lines.filter((l) => l.startsWith('USER')).at(-1);
    expect(user).toBe('USER node');
    expect(runtime?.lines.some((l) => l.startsWith('HEALTHCHECK') && l.includes('healthcheck.mjs'))).toBe(true);
    expect(runtime?.lines).toContain('ENTRYPOINT ["/sbin/tini", "--", "fc-entrypoint"]');
    expect(runtime?.lines).toContain('CMD ["ingress"]');
  });

  it('builds with the npm build script (what it emits is checked by build.test.ts)', () => {
    expect(stages.find((s) => s.name === 'build')?.lines).toContain('RUN npm run build');
    expect(packageJson.scripts.build).toBe('tsc -p tsconfig.build.json && node deploy/build/copy-assets.mjs');
  });

  it('starts entry points that exist in the sources the build compiles', () => {
    const targets = [...entrypoint.matchAll(/exec node \/app\/(dist\/\S+|bin\/\S+)/g)].map((m) => m[1] as string);
    expect(targets).toEqual(['dist/ingress/server.js', 'dist/processor/main.js', 'bin/fc-connector.js']);
    for (const target of targets) {
      const source = target.startsWith('dist/') ? target.replace(/^dist\//, '').replace(/\.js$/, '.ts') : target;
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
    }
    expect(readFileSync(join(repoRoot, 'bin/fc-connector.js'), 'utf8')).toContain('../dist/cli/main.js');
  });

  it('has every COPY source in the build context (.dockerignore allow-list)', () => {
    const allowed = dockerignore
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    const sources = instructions
      .filter((l) => l.startsWith('COPY') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(
        allowed.some((a) => source === a || source.startsWith(`${a}/`)),
        source,
      ).toBe(true);
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
    }
  });
});

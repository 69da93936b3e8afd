/**
 * Structural checks of deploy/Dockerfile and its build inputs (no Docker engine or hadolint here): multi-stage with a
 * production-only runtime, non-root, healthcheck, tini, entry points that match what `npm run build` emits, a `sim`
 * stage that has every module the simulators import, no stage that copies test/, and a .dockerignore that lets every
 * COPY source into the build context.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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
const stage = (name: string) => stages.find((s) => s.name === name)?.lines ?? [];
/** The sources a stage copies from the build context (`COPY a b ./dest` → a, b). */
const copiedSources = (lines: string[]) =>
  lines.filter((l) => l.startsWith('COPY') && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1));
const isCopied = (file: string, sources: string[]) => sources.some((s) => file === s || file.startsWith(`${s}/`));

/** Every repository file `entry` loads through relative imports (static and dynamic), `entry` included. */
function relativeImportClosure(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(repoRoot, join(repoRoot, dirname(file), specifier!)).replace(/\.js$/, '.ts');
      pending.push(target);
    }
  }
  return [...seen].sort();
}

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
    expect(copies.some((l) => /COPY (ingress|processor|schemas|common|cli|sim|test) /.test(l))).toBe(false);
  });

  it('compiles exactly the folders tsconfig.build.json includes, and never test/ or sim/', () => {
    const buildConfig = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    const sources = copiedSources(stage('build'));
    for (const folder of buildConfig.include) expect(sources, folder).toContain(folder);
    expect(sources).toContain('cli');
    expect(sources).toContain('common');
    expect(sources.filter((s) => /^(test|sim)(\/|$)/.test(s))).toEqual([]);
  });

  it('runs sim/compose.ts in the sim stage, with every module the simulators import', () => {
    const sim = stage('sim');
    expect(sim).toContain('ENTRYPOINT ["node", "--import", "tsx", "sim/compose.ts"]');
    const sources = copiedSources(sim);
    expect(sources).toContain('sim');
    const missing = relativeImportClosure('sim/compose.ts').filter((file) => !isCopied(file, sources));
    expect(missing).toEqual([]);
  });

  it('never copies test/ into any stage (the image and the simulators do not depend on tests)', () => {
    const sources = stages.flatMap((s) => copiedSources(s.lines));
    expect(sources.filter((s) => /^test(\/|$)/.test(s))).toEqual([]);
  });

  it('runs as a non-root user with tini, a HEALTHCHECK and the ingress as default command', () => {
    const user = runtime?.lines.filter((l) => l.startsWith('USER')).at(-1);
    expect(user).toBe('USER node');
    expect(runtime?.lines.some((l) => l.startsWith('HEALTHCHECK') && l.includes('healthcheck.mjs'))).toBe(true);
    expect(runtime?.lines).toContain('ENTRYPOINT ["/sbin/tini", "--", "fc-entrypoint"]');
    expect(runtime?.lines).toContain('CMD ["ingress"]');
  });

  it('builds with the npm build script (what it emits is checked by build.test.ts)', () => {
    expect(stage('build')).toContain('RUN npm run build');
    expect(packageJson.scripts.build).toBe('tsc -p tsconfig.build.json && node deploy/build/copy-assets.mjs');
  });

  it('starts entry points that exist in the sources the build compiles', () => {
    const targets = [...entrypoint.matchAll(/exec node \/app\/(\S+)/g)].map((m) => m[1] as string);
    expect(targets).toEqual(['dist/ingress/server.js', 'dist/processor/main.js', 'dist/cli/main.js']);
    for (const target of targets) {
      const source = target.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
    }
  });

  it('runs compiled JavaScript only: tsx and esbuild are dev dependencies, used by the sim stage alone', () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; dependencies?: Record<string, string> }>;
    };
    const pkg = packageJson as unknown as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    // `npm ci --omit=dev` installs exactly the lock entries without dev: true.
    for (const name of ['tsx', 'esbuild']) expect(lock.packages[`node_modules/${name}`]?.dev, name).toBe(true);
    const usesTsx = stages.filter((s) => s.lines.some((l) => /\btsx\b/.test(l))).map((s) => s.name);
    expect(usesTsx).toEqual(['sim']);
    expect(runtime?.lines.some((l) => /COPY (bin|[a-z]+\/\S+\.ts) /.test(l))).toBe(false);
  });

  it('has every COPY source in the build context (.dockerignore allow-list)', () => {
    const allowed = dockerignore
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    const sources = copiedSources(instructions);
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(isCopied(source, allowed), source).toBe(true);
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
    }
  });
});

#!/usr/bin/env node
/* global process */
// Stands in for `kubectl` and `helm` (by the name it is called with) while the runbooks' cluster blocks run: kubectl
// calls are checked against the chart as rendered for the test release (every object named must exist, selectors
// must select a workload) and recorded; manifests given to `kubectl create -f -` are saved for offline validation;
// `helm get values` prints the test values; `helm template` runs the real helm, `helm upgrade` renders instead.
// Environment: SHIM_STATE (a folder: manifests.json, values.json, calls.jsonl, created/), SHIM_HELM (real helm).
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const state = process.env.SHIM_STATE;
const tool = basename(process.argv[1]);
const args = process.argv.slice(2);
const manifests = JSON.parse(readFileSync(join(state, 'manifests.json'), 'utf8'));

function record(ok, extra = {}) {
  appendFileSync(join(state, 'calls.jsonl'), `${JSON.stringify({ tool, args, ok, ...extra })}\n`);
}
function fail(message) {
  record(false, { message });
  process.stderr.write(`${tool} (runbook test): ${message}\n`);
  process.exit(1);
}
/** args without -n/--namespace and their value. */
function positional(list) {
  const out = [];
  for (let i = 0; i < list.length; i++) {
    if (list[i] === '-n' || list[i] === '--namespace') i++;
    else out.push(list[i]);
  }
  return out;
}
const KINDS = {
  deployment: 'Deployment',
  deploy: 'Deployment',
  scaledobject: 'ScaledObject',
  cronjob: 'CronJob',
  configmap: 'ConfigMap',
  job: 'Job',
  'job.batch': 'Job',
};
function created() {
  try {
    return JSON.parse(readFileSync(join(state, 'created.json'), 'utf8'));
  } catch {
    return [];
  }
}
/** kind/name or (kind, name) → the object, or undefined. */
function find(kindWord, name) {
  const kind = KINDS[kindWord.toLowerCase()];
  if (!kind) fail(`unknown kind ${kindWord}`);
  return [...manifests, ...created()].find((m) => m.kind === kind && m.metadata?.name === name);
}
function target(list) {
  const [first, second] = list;
  if (first.includes('/')) {
    const [kind, name] = first.split('/');
    return { kind, name, rest: list.slice(1) };
  }
  return { kind: first, name: second, rest: list.slice(2) };
}
function requireObject(kind, name) {
  const found = find(kind, name);
  if (!found) fail(`${kind}/${name} is not rendered by the chart (or created by an earlier command)`);
  return found;
}
function jsonpath(object, expression) {
  const path = /^\{\.(.+)\}$/.exec(expression)?.[1];
  if (!path) fail(`unsupported jsonpath ${expression}`);
  return path.split('.').reduce((value, key) => value?.[key], object);
}
function selects(selector) {
  const wanted = Object.fromEntries(selector.split(',').map((pair) => pair.split('=')));
  return manifests.some((m) => {
    const labels = m.spec?.template?.metadata?.labels ?? {};
    return Object.entries(wanted).every(([k, v]) => labels[k] === v);
  });
}
function option(list, name) {
  const i = list.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return list[i].includes('=') ? list[i].slice(name.length + 1) : list[i + 1];
}

function kubectl() {
  const [verb, ...rest] = positional(args);
  switch (verb) {
    case 'get': {
      const { kind, name, rest: more } = target(rest);
      const found = find(kind, name);
      if (!found) {
        record(true, { notFound: `${kind}/${name}` });
        process.stderr.write(`Error from server (NotFound): ${kind} "${name}" not found\n`);
        process.exit(1);
      }
      const output = option(more, '-o');
      if (output?.startsWith('jsonpath=')) process.stdout.write(String(jsonpath(found, output.slice(9)) ?? ''));
      return record(true);
    }
    case 'annotate':
    case 'scale':
    case 'logs':
    case 'rollout': {
      const list = verb === 'rollout' ? rest.slice(1) : rest.filter((a) => !a.startsWith('-'));
      const { kind, name } = target(list);
      requireObject(kind, name);
      return record(true);
    }
    case 'wait': {
      const selector = option(rest, '-l');
      if (selector !== undefined) {
        if (!selects(selector)) fail(`no workload of the chart has pods matching ${selector}`);
        return record(true);
      }
      const { kind, name } = target(rest.filter((a) => !a.startsWith('-')));
      requireObject(kind, name);
      return record(true);
    }
    case 'create': {
      if (rest[0] === 'job') {
        const from = option(rest, '--from');
        const [kind, name] = from.split('/');
        requireObject(kind, name);
        return record(true);
      }
      if (option(rest, '-f') !== '-') fail('create expects -f - (a rendered manifest on stdin)');
      const text = readFileSync(0, 'utf8');
      const dir = join(state, 'created');
      mkdirSync(dir, { recursive: true });
      const n = created().length;
      writeFileSync(join(dir, `${n}.yaml`), text);
      const kind = /^kind:\s*(\S+)/m.exec(text)?.[1];
      const generate = /^\s+generateName:\s*(\S+)/m.exec(text)?.[1];
      const name = /^\s+name:\s*(\S+)/m.exec(text)?.[1];
      const objectName = generate ? `${generate}run${n}` : name;
      writeFileSync(
        join(state, 'created.json'),
        JSON.stringify([...created(), { kind, metadata: { name: objectName } }]),
      );
      if (option(rest, '-o') === 'name') process.stdout.write(`${kind.toLowerCase()}.batch/${objectName}\n`);
      return record(true, { created: `${n}.yaml` });
    }
    default:
      return fail(`kubectl ${verb} is not known to the runbook test: add it to test/integration/runbooks/support`);
  }
}

function helm() {
  const [verb, ...rest] = positional(args);
  if (verb === 'get' && rest[0] === 'values') {
    process.stdout.write(readFileSync(join(state, 'values.json'), 'utf8'));
    return record(true);
  }
  if (verb === 'template' || verb === 'upgrade') {
    const render = spawnSync(process.env.SHIM_HELM, ['template', ...rest, '--kube-version', '1.33.0'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (render.status !== 0) fail(`helm ${verb} does not render: ${render.stderr}`);
    if (verb === 'template') process.stdout.write(render.stdout);
    return record(true);
  }
  return fail(`helm ${verb} is not known to the runbook test`);
}

if (tool === 'kubectl') kubectl();
else helm();

/**
 * Reconcile checkpoints: one JSON file per reconciliation under the state dir, next to replay's (cli/README.md,
 * "Design notes"): `<state-dir>/reconcile-<id>.json`, written atomically (temp + rename) after every page whose events
 * Kafka acknowledged, with a pid lock against two runs of one reconciliation. It holds the frozen window and the
 * cursor after the last acknowledged page, so a resume asks Fluent for the rest of the same window and never
 * produces an acknowledged page again; a crash between the produce ack and the write sends that one page again
 * (at-least-once, same event ids; the handler is idempotent: docs/architecture.md, "Processing semantics").
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectorError } from '../../common/index.js';
import { saveJsonAtomically, takePidLock } from '../state-file.js';

export interface ReconcileCheckpoint {
  readonly version: 1;
  readonly id: string;
  /** Canonical description of the selection; another selection must not continue this checkpoint. */
  readonly selectionKey: string;
  readonly topic: string;
  /** The updatedOn window, inclusive, frozen when the sweep was planned (ISO 8601, UTC). */
  readonly window: { readonly from: string; readonly to: string };
  readonly types: readonly string[];
  readonly retailers: readonly string[];
  readonly createdAt: string;
  updatedAt: string;
  status: 'in-progress' | 'complete';
  /** Cursor after the last acknowledged page; absent before the first. */
  after?: string | undefined;
  pages: number;
  /** Orders listed in the window (after the retailer filter: `seen`; before it: `listed`). */
  listed: number;
  seen: number;
  produced: number;
  /** Events produced per Fluent status. */
  byStatus: Record<string, number>;
}

export function checkpointPath(stateDir: string, id: string): string {
  return join(stateDir, `reconcile-${id}.json`);
}

export async function loadCheckpoint(path: string): Promise<ReconcileCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as ReconcileCheckpoint;
    if (parsed.version !== 1 || typeof parsed.window?.from !== 'string') throw new Error('unknown layout');
    return parsed;
  } catch (error) {
    throw new ConnectorError(
      'CHECKPOINT_CORRUPT',
      `reconcile checkpoint ${path} is unreadable (${(error as Error).message}); inspect or delete it, or use --restart.`,
    );
  }
}

const stateFile = { ensureDir: (dir: string) => mkdir(dir, { recursive: true }).then(() => undefined) };

export async function saveCheckpoint(path: string, checkpoint: ReconcileCheckpoint): Promise<void> {
  await saveJsonAtomically(path, checkpoint, stateFile);
}

/** Takes the reconciliation's lock (a lock left by a dead process is taken over); returns the release function. */
export async function lockReconcile(path: string): Promise<() => Promise<void>> {
  const lock = `${path}.lock`;
  return takePidLock(lock, {
    ...stateFile,
    locked: (pid) =>
      new ConnectorError(
        'RECONCILE_LOCKED',
        `this reconciliation is already running (process ${pid}, lock ${lock}). Wait for it, or stop it first.`,
      ),
    failed: () => new ConnectorError('RECONCILE_LOCKED', `could not take the reconcile lock ${lock}.`),
  });
}

/**
 * Replay checkpoints: a small JSON file per replay under the state dir (default `.fc-connector/`, git-ignored).
 *
 * Why a file and not a compacted topic: the operator who runs a replay owns its progress, can read and delete it,
 * and no extra topic (or write ACL on one) is needed on a production cluster. Written atomically (temp + rename)
 * after every acknowledged batch, so a crash loses at most the position of the batch in flight — whose records
 * were then not acknowledged, or, when the crash fell between the produce ack and the checkpoint write, are sent
 * again on resume (at-least-once; the handler is idempotent: docs/architecture.md, "Processing semantics").
 * A lock file (holding the pid) stops two runs of the same replay at once.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { saveJsonAtomically, takePidLock } from '../state-file.js';

export interface PartitionProgress {
  /** First offset of the selection (inclusive). */
  readonly start: string;
  /**
   * End of the selection (exclusive): the selection's own end, bounded by the partition's high watermark when the
   * replay was planned, so records written since (a main-to-main replay's own copies, records that failed again)
   * are never read, not on resume and not by --force.
   */
  readonly end: string;
  /** Next offset to read; everything before it is replayed (or filtered out) and acknowledged. */
  next: string;
}

/** The selection's bounds as the operator gave them, and the instants the times resolved to when it was planned. */
export interface SavedSelection {
  readonly since?: { readonly text: string; readonly at: string } | undefined;
  readonly until?: { readonly text: string; readonly at: string } | undefined;
  /** Canonical offset bounds (`5,0:100,2:40`), inclusive. */
  readonly fromOffset?: string | undefined;
  readonly toOffset?: string | undefined;
}

/**
 * Everything a resume or a --force run needs to replay the same records: source, target, filter, the selection's
 * bounds and, per partition, the offset range frozen when the replay was planned. (Files written before `selection`
 * and `skipped` existed lack them; the frozen ranges and the filter alone still reproduce the selection.)
 */
export interface ReplayCheckpoint {
  readonly version: 1;
  readonly id: string;
  /** Canonical description of the selection; a different selection must not reuse this checkpoint. */
  readonly selectionKey: string;
  readonly sourceTopic: string;
  readonly targetTopic: string;
  /** The per-record filter (a RecordFilter: names, keys, error classes, resolved time bounds). */
  readonly filter: unknown;
  readonly selection?: SavedSelection | undefined;
  /** When the ranges were frozen. */
  readonly createdAt: string;
  updatedAt: string;
  status: 'in-progress' | 'complete';
  scanned: number;
  replayed: number;
  /** Offsets of the selection no longer in the source when resumed (deleted by retention), skipped unread. */
  skipped?: number | undefined;
  readonly partitions: Record<string, PartitionProgress>;
}

export function checkpointPath(stateDir: string, id: string): string {
  return join(stateDir, `replay-${id}.json`);
}

export async function loadCheckpoint(path: string): Promise<ReplayCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as ReplayCheckpoint;
    if (parsed.version !== 1 || typeof parsed.partitions !== 'object') throw new Error('unknown layout');
    return parsed;
  } catch (error) {
    throw new CliError(
      'CHECKPOINT_CORRUPT',
      `replay checkpoint ${path} is unreadable (${(error as Error).message}); inspect or delete it, or use --force.`,
    );
  }
}

/** Error codes meaning "this directory cannot take our files": read-only, not ours, or not a directory. */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR']);

/**
 * An unwritable state dir (a container's read-only working directory, typically) reported with the setting that
 * moves it, instead of a bare EACCES; other errors unchanged.
 */
function stateDirError(dir: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (!UNWRITABLE.has(code)) return error;
  return new CliError(
    'CLI_ERROR',
    `cannot keep replay checkpoints in ${dir} (${code}). Point FC_CONNECTOR_STATE_DIR (or --state-dir) at a ` +
      'writable directory; the Helm chart mounts one for the CLI (values cli.state).',
    { cause: error },
  );
}

async function ensureStateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw stateDirError(dir, error);
  });
}

const stateFile = { ensureDir: ensureStateDir, ioError: stateDirError };

export async function saveCheckpoint(path: string, checkpoint: ReplayCheckpoint): Promise<void> {
  await saveJsonAtomically(path, checkpoint, stateFile);
}

/** Takes the replay's lock; a lock left by a dead process is taken over. Returns the release function. */
export async function lockReplay(path: string): Promise<() => Promise<void>> {
  const lock = `${path}.lock`;
  return takePidLock(lock, {
    ...stateFile,
    locked: (pid) =>
      new CliError(
        'REPLAY_LOCKED',
        `this replay is already running (process ${pid}, lock ${lock}). Wait for it, or stop it first.`,
      ),
    failed: () => new CliError('REPLAY_LOCKED', `could not take the replay lock ${lock}.`),
  });
}

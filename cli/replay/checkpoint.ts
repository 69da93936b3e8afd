/**
 * Replay checkpoints: a small JSON file per replay under the state dir (default `.fc-connector/`, git-ignored).
 *
 * Why a file and not a compacted topic: the operator who runs a replay owns its progress, can read and delete it,
 * and no extra topic (or write ACL on one) is needed on a production cluster. Written atomically (temp + rename)
 * after every acknowledged batch, so a crash loses at most the position of the batch in flight — whose records
 * were then not acknowledged, or are re-sent once on resume (at-least-once; the handler is idempotent:
 * docs/architecture.md, "Processing semantics").
 * A lock file (holding the pid) stops two runs of the same replay at once.
 */
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError } from '../errors.js';

export interface PartitionProgress {
  /** First offset of the selection (inclusive). */
  readonly start: string;
  /** End of the selection (exclusive), frozen when the replay started so replayed records are never re-read. */
  readonly end: string;
  /** Next offset to read; everything before it is replayed (or filtered out) and acknowledged. */
  next: string;
}

export interface ReplayCheckpoint {
  readonly version: 1;
  readonly id: string;
  /** Canonical description of the selection; a different selection must not reuse this checkpoint. */
  readonly selectionKey: string;
  readonly sourceTopic: string;
  readonly targetTopic: string;
  readonly filter: unknown;
  readonly createdAt: string;
  updatedAt: string;
  status: 'in-progress' | 'complete';
  scanned: number;
  replayed: number;
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

export async function saveCheckpoint(path: string, checkpoint: ReplayCheckpoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(checkpoint, null, 2)}\n`, 'utf8');
  await rename(temp, path);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the replay's lock; a lock left by a dead process is taken over. Returns the release function. */
export async function lockReplay(path: string): Promise<() => Promise<void>> {
  const lock = `${path}.lock`;
  await mkdir(dirname(lock), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new CliError(
          'REPLAY_LOCKED',
          `this replay is already running (process ${pid}, lock ${lock}). Wait for it, or stop it first.`,
        );
      }
      await rm(lock, { force: true });
    }
  }
  throw new CliError('REPLAY_LOCKED', `could not take the replay lock ${lock}.`);
}

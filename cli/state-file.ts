/**
 * The CLI's state files (replay and reconcile checkpoints): written atomically (temp file + rename, so a crash never
 * leaves half a checkpoint) and guarded by a pid lock file (a lock left by a dead process is taken over).
 */
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface StateFileOptions {
  /** Creates the folder, with the caller's error wording. */
  readonly ensureDir: (dir: string) => Promise<void>;
  /** Wraps an I/O failure of the lock file (default: rethrown as is). */
  readonly ioError?: (dir: string, error: unknown) => unknown;
}

export async function saveJsonAtomically(path: string, value: unknown, options: StateFileOptions): Promise<void> {
  await options.ensureDir(dirname(path));
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
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

/** Takes `lock` for this process; returns the release function. `locked` words the error for a live holder. */
export async function takePidLock(
  lock: string,
  options: StateFileOptions & { readonly locked: (pid: number) => Error; readonly failed: () => Error },
): Promise<() => Promise<void>> {
  await options.ensureDir(dirname(lock));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw options.ioError ? options.ioError(dirname(lock), error) : error;
      }
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw options.locked(pid);
      await rm(lock, { force: true });
    }
  }
  throw options.failed();
}

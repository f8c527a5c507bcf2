import { hostname } from 'node:os';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { pidAlive } from './write.js';

/** Who holds a lock. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Free text: the juror or the command. */
  readonly who: string;
  readonly since: string;
}

/** A lock is held by someone else. */
export class LockedError extends Error {
  override readonly name = 'LockedError';
  constructor(
    readonly file: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(`locked: ${file}`);
  }
}

/** A held lock; release it when done. */
export interface Lock {
  release(): Promise<void>;
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(lockPath, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isStale(owner: LockOwner | undefined): boolean {
  // A lock of this machine whose process is gone was left by a crash or a SIGKILL. An unreadable
  // lock file was torn by a crash while being created.
  if (!owner) return true;
  return owner.host === hostname() && !pidAlive(owner.pid);
}

/**
 * Take the lock of a file (`<file>.lock`, created exclusively, holding the owner). A lock left by
 * a dead process of this machine is taken over; a live one raises LockedError naming its owner.
 */
export async function acquireLock(file: string, who: string, now: Date): Promise<Lock> {
  const lockPath = `${file}.lock`;
  const owner: LockOwner = { pid: process.pid, host: hostname(), who, since: now.toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o640);
      try {
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await unlink(lockPath).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = await readOwner(lockPath);
      if (!isStale(current)) throw new LockedError(file, current);
      // Move the stale lock aside under a unique name: of two processes taking it over at once,
      // only one rename succeeds and the other retries against the winner's fresh lock.
      const aside = `${lockPath}.stale.${process.pid}`;
      try {
        await rename(lockPath, aside);
        // What was moved may already be another process's fresh lock: put it back (link fails
        // rather than overwrite if yet another lock appeared meanwhile).
        if (!isStale(await readOwner(aside))) await link(aside, lockPath).catch(() => undefined);
        await unlink(aside).catch(() => undefined);
      } catch {
        // Someone else took it over first; try again.
      }
    }
  }
  throw new LockedError(file, await readOwner(lockPath));
}

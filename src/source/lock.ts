import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import { InputError } from '../cli/errors.js';
import { pidAlive } from './write.js';

/** Who holds a lock. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Free text: the juror or the command. */
  readonly who: string;
  readonly since: string;
  /** Unique per acquisition: a process only ever removes its own lock. */
  readonly token?: string;
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

/** A takeover guard older than this was left by a process killed in the middle of a takeover. */
const GUARD_STALE_MS = 5_000;
/** An unreadable lock older than this is debris (locks are written whole, so this is rare). */
const UNREADABLE_STALE_MS = 5_000;

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(lockPath, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

async function ageMs(file: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Is this lock left by a dead process of this machine (or unreadable debris)? */
async function isStale(lockPath: string, owner: LockOwner | undefined): Promise<boolean> {
  if (!owner) return ((await ageMs(lockPath)) ?? 0) > UNREADABLE_STALE_MS;
  return owner.host === hostname() && !pidAlive(owner.pid);
}

/** Create `target` holding `content`, atomically and only if it does not exist (EEXIST). */
async function createWhole(target: string, content: string): Promise<void> {
  // Named like the atomic writer's temporary files, so a crash here leaves nothing that
  // cleanOrphanTemps would not remove.
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(tmp, 'wx', 0o640);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, target);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Remove a stale lock. Takers are serialised by a guard file, and the lock is checked again under
 * the guard, so a fresh lock is never removed: only a lock that is still the stale one we saw.
 */
async function takeOver(lockPath: string, seen: LockOwner | undefined): Promise<void> {
  const guard = `${lockPath}.takeover`;
  try {
    await createWhole(guard, String(process.pid));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (((await ageMs(guard)) ?? 0) > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
    return;
  }
  try {
    const current = await readOwner(lockPath);
    const same = current?.token === seen?.token && current?.pid === seen?.pid;
    if (same && (await isStale(lockPath, current))) await unlink(lockPath).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/**
 * Take the lock of a file (`<file>.lock`, created whole and exclusively, naming its owner). A
 * lock left by a dead process of this machine is taken over; a live one raises LockedError
 * naming its owner.
 */
export async function acquireLock(file: string, who: string, now: Date): Promise<Lock> {
  const lockPath = `${file}.lock`;
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    who,
    since: now.toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await createWhole(lockPath, JSON.stringify(owner));
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          const current = await readOwner(lockPath);
          if (current?.token === owner.token) await unlink(lockPath).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = await readOwner(lockPath);
      if (!(await isStale(lockPath, current))) throw new LockedError(file, current);
      await takeOver(lockPath, current);
    }
  }
  throw new LockedError(file, await readOwner(lockPath));
}

/**
 * Take a file's lock for a command, turning "held by someone else" into the message a person
 * needs: who holds it, since when, and that nothing is lost.
 */
export async function lockForCommand(
  file: string,
  who: string,
  now: Date,
  describe: (owner: LockOwner | undefined) => { message: string; hint: string },
): Promise<Lock> {
  try {
    return await acquireLock(file, who, now);
  } catch (error) {
    if (error instanceof LockedError) {
      const { message, hint } = describe(error.owner);
      throw new InputError(message, hint);
    }
    throw error;
  }
}

/** "par X (processus 123 sur host, depuis …)" for messages. */
export function ownerText(o: LockOwner | undefined, lang: 'fr' | 'en'): string {
  if (!o) return '';
  return lang === 'en'
    ? ` by ${o.who} (process ${o.pid} on ${o.host}, since ${o.since})`
    : ` par ${o.who} (processus ${o.pid} sur ${o.host}, depuis ${o.since})`;
}

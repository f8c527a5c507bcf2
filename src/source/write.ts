import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Files certif writes hold personal data: readable by their owner (and group) only. */
export const FILE_MODE = 0o640;

const TEMP_PATTERN = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function tempName(target: string): string {
  const suffix = `${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${suffix}`);
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on a folder; the rename is atomic all the same.
  }
}

async function unlinkQuiet(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

/**
 * Write a file atomically: a temporary file in the same folder, fsync, rename over the target,
 * fsync the folder. A crash leaves the old file or the new one, never a torn one.
 */
export async function writeFileAtomic(target: string, content: string): Promise<void> {
  await writeBytesAtomic(target, Buffer.from(content, 'utf8'));
}

/** {@link writeFileAtomic} for bytes (PDF). */
export async function writeBytesAtomic(target: string, content: Uint8Array): Promise<void> {
  const tmp = tempName(target);
  const handle = await open(tmp, 'wx', FILE_MODE);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlinkQuiet(tmp);
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, target);
  } catch (error) {
    await unlinkQuiet(tmp);
    throw error;
  }
  await fsyncDir(path.dirname(target));
}

/** Is a process of this machine alive? */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temporary files left in a folder by processes that died mid-write (they may hold
 * personal data). Files of live processes are left alone.
 */
export async function cleanOrphanTemps(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = TEMP_PATTERN.exec(name);
    if (m && !pidAlive(Number(m[1]))) {
      await unlinkQuiet(path.join(dir, name));
      removed += 1;
    }
  }
  return removed;
}

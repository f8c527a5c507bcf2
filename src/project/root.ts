import path from 'node:path';
import { pathKind } from './files.js';

/**
 * The nearest folder, from `start` upwards, holding `referentials/` or `sessions/` (a certif
 * project); undefined when there is none.
 */
export async function enclosingProjectRoot(start: string): Promise<string | undefined> {
  let dir = path.resolve(start);
  for (;;) {
    for (const name of ['sessions', 'referentials']) {
      if ((await pathKind(path.join(dir, name))) === 'dir') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The project folder: the nearest folder, from `start` upwards, holding `referentials/` or
 * `sessions/`; `start` itself when there is none.
 */
export async function findProjectRoot(start: string): Promise<string> {
  return (await enclosingProjectRoot(start)) ?? path.resolve(start);
}

import path from 'node:path';
import { pathKind } from './files.js';

/**
 * The project folder: the nearest folder, from `start` upwards, holding `referentials/` or
 * `sessions/`; `start` itself when there is none.
 */
export async function findProjectRoot(start: string): Promise<string> {
  let dir = path.resolve(start);
  for (;;) {
    for (const name of ['sessions', 'referentials']) {
      if ((await pathKind(path.join(dir, name))) === 'dir') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start);
    dir = parent;
  }
}

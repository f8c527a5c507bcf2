import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../cli/errors.js';
import type { Io } from '../cli/io.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { displayPath } from '../project/files.js';
import { writeFileAtomic } from '../source/write.js';

const WRITE_ERRORS = new Set([
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  // A folder that cannot be created there (/proc/x): still the user's path to change.
  'ENOENT',
]);

/** A folder or file that cannot be written is the user's to fix (exit 1), not a bug. */
export async function writing<T>(
  target: string,
  io: Io,
  lang: Lang,
  action: () => Promise<T>,
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!WRITE_ERRORS.has(code)) throw error;
    const display = displayPath(target, io.cwd);
    throw new InputError(
      pick(lang, `Impossible d’écrire ${display} (${code}).`, `Cannot write ${display} (${code}).`),
      pick(
        lang,
        'Choisissez avec --out un autre chemin, où vous pouvez écrire.',
        'Choose with --out another path, one you can write to.',
      ),
      { cause: error },
    );
  }
}

/** Write to `--out` (atomically, its folder created) or to stdout. */
export async function writeOutput(
  text: string,
  out: string | undefined,
  io: Io,
  lang: Lang,
): Promise<void> {
  if (!out) {
    io.stdout.write(text);
    return;
  }
  const file = path.resolve(io.cwd, out);
  await writing(file, io, lang, async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, text);
  });
  io.stderr.write(`✔ ${displayPath(file, io.cwd)}\n`);
}

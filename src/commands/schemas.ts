import path from 'node:path';
import type { Io } from '../cli/io.js';
import { InputError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { displayPath } from '../project/files.js';
import { enclosingProjectRoot } from '../project/root.js';
import { ensureProjectSchemas, PROJECT_SCHEMAS_DIR } from '../project/schema-line.js';

/**
 * `certif schemas`: write the project's copy of the JSON Schemas (`.certif/schemas/`) where it
 * is missing or differs from this certif's, the copy the schema lines of the project's files
 * point to. What `certif validate` asks for when it finds the copy stale.
 */
export async function schemasCommand(options: { lang: Lang }, io: Io): Promise<number> {
  const { lang } = options;
  const root = await enclosingProjectRoot(io.cwd);
  if (!root) {
    throw new InputError(
      pick(
        lang,
        'Aucun projet ici : ni referentials/ ni sessions/ dans ce dossier ou au-dessus.',
        'No project here: no referentials/ or sessions/ in this folder or above.',
      ),
      pick(
        lang,
        'Lancez certif schemas depuis le dossier du projet.',
        'Run certif schemas from the project folder.',
      ),
    );
  }
  const written = await ensureProjectSchemas(root, lang, io.cwd);
  const folder = `${displayPath(path.join(root, PROJECT_SCHEMAS_DIR), io.cwd)}/`;
  io.stderr.write(
    written.length > 0
      ? pick(
          lang,
          `✔ ${written.length} schéma(s) écrit(s) dans ${folder} : ${written.map((f) => path.basename(f)).join(', ')}\n`,
          `✔ ${written.length} schema(s) written to ${folder}: ${written.map((f) => path.basename(f)).join(', ')}\n`,
        )
      : pick(
          lang,
          `✔ ${folder} est à jour : rien à écrire.\n`,
          `✔ ${folder} is up to date: nothing to write.\n`,
        ),
  );
  return 0;
}

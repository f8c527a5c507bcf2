import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { InputError, InvalidFilesError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { assertInsideProject } from '../project/confine.js';
import { displayPath, pathKind } from '../project/files.js';
import {
  availableReferentials,
  compareVersions,
  resolveReferential,
} from '../project/referentials.js';
import { findProjectRoot } from '../project/root.js';
import {
  assertSchemaCopyWritable,
  ensureProjectSchemas,
  schemaComment,
} from '../project/schema-line.js';
import { checkSessionText } from '../project/session-store.js';
import { writeFileAtomic } from '../source/write.js';
import { isCalendarDate } from '../model/dates.js';

/** Options of `certif init`. */
export interface InitOptions {
  readonly referential?: string | undefined;
  readonly centre?: string | undefined;
  readonly city?: string | undefined;
  readonly date?: string | undefined;
  readonly lang: Lang;
}

const SLUG = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * `certif init <session-dir> --referential <id|path>`: create sessions/<id>/session.yaml pinned
 * to the référentiel's id, version and content hash; copy a bundled référentiel into the project
 * so the session keeps working whatever later versions of certif ship.
 */
export async function initCommand(target: string, options: InitOptions, io: Io): Promise<number> {
  const { lang } = options;
  const dir =
    target.includes('/') || target.includes(path.sep)
      ? path.resolve(io.cwd, target)
      : path.resolve(io.cwd, 'sessions', target);
  const id = path.basename(dir);
  if (!SLUG.test(id)) {
    throw new UsageError(
      pick(lang, `Nom de session invalide : ${id}`, `Invalid session name: ${id}`),
      pick(
        lang,
        'Utilisez des minuscules, chiffres, « . », « - » ou « _ » (ex. 2026-06-rouen).',
        'Use lower-case letters, digits, ".", "-" or "_" (e.g. 2026-06-rouen).',
      ),
    );
  }
  if (path.basename(path.dirname(dir)) !== 'sessions') {
    throw new UsageError(
      pick(
        lang,
        `Une session se crée dans un dossier sessions/ : ${displayPath(dir, io.cwd)}`,
        `A session lives in a sessions/ folder: ${displayPath(dir, io.cwd)}`,
      ),
      pick(
        lang,
        `Exemple : certif init sessions/${id} --referential <id>.`,
        `Example: certif init sessions/${id} --referential <id>.`,
      ),
    );
  }
  if (options.date && !isCalendarDate(options.date)) {
    throw new UsageError(
      pick(lang, `Date invalide : ${options.date}`, `Invalid date: ${options.date}`),
      pick(lang, 'Format AAAA-MM-JJ.', 'Format YYYY-MM-DD.'),
    );
  }
  const file = path.join(dir, 'session.yaml');
  if ((await pathKind(file)) !== 'missing') {
    throw new InputError(
      pick(
        lang,
        `La session existe déjà : ${displayPath(file, io.cwd)}`,
        `The session already exists: ${displayPath(file, io.cwd)}`,
      ),
      pick(
        lang,
        'Choisissez un autre nom, ou modifiez ce fichier.',
        'Choose another name, or edit that file.',
      ),
    );
  }
  const root = path.dirname(path.dirname(dir));
  assertInsideProject(root, file, lang, io.cwd);
  const projectRoot =
    (await pathKind(path.join(root, 'sessions'))) === 'dir' ? root : await findProjectRoot(root);
  const loaded = await resolveReferential(options.referential, projectRoot, io.cwd, lang);
  const { ref, hash } = loaded;

  let copied: string | undefined;
  const refDir = path.join(root, 'referentials');
  const date = options.date ?? io.now().toISOString().slice(0, 10);
  const q = (s: string) => JSON.stringify(s);
  const text = [
    `#${schemaComment(root, dir, 'session')}`,
    `id: ${id}`,
    'referential:',
    `  id: ${ref.id}`,
    `  version: ${q(ref.version)}`,
    `  hash: ${hash}`,
    'centre:',
    `  name: ${q(options.centre ?? pick(lang, 'Centre d’examen', 'Exam centre'))}`,
    ...(options.city ? [`  city: ${q(options.city)}`] : []),
    'dates:',
    `  start: ${q(date)}`,
    pick(
      lang,
      '# Jurés : id, nom, indépendant (extérieur au centre) ou non, organisme.',
      '# Jurors: id, name, independent (external to the centre) or not, organisation.',
    ),
    pick(lang, '#   - id: jdupont', '#   - id: jdupont'),
    pick(lang, '#     name: Jeanne Dupont', '#     name: Jeanne Dupont'),
    '#     independent: true',
    pick(lang, '#     organisation: Entreprise Martin', '#     organisation: Martin Ltd'),
    'jurors: []',
    pick(
      lang,
      `# Jury de chaque bloc : ${ref.jury.size} jurés, dont au moins ${ref.jury.min_independent} indépendant(s). Ex. : ${ref.blocs[0]?.id ?? 'BC01'}: [jdupont, pmartin]`,
      `# Jury of each bloc: ${ref.jury.size} jurors, at least ${ref.jury.min_independent} independent. E.g.: ${ref.blocs[0]?.id ?? 'BC01'}: [jdupont, pmartin]`,
    ),
    'juries: {}',
    pick(
      lang,
      '# Double correction à l’aveugle (chaque juré saisit seul, puis certif reconcile) : décommentez.',
      '# Blind double marking (each juror grades alone, then certif reconcile): uncomment.',
    ),
    '# double_marking: blind',
    pick(
      lang,
      '# Candidats : certif candidates import candidats.csv',
      '# Candidates: certif candidates import candidates.csv',
    ),
    'candidates: []',
    '',
  ].join('\n');
  // Everything is checked before anything is written: the session, against the référentiel it
  // pins (copied into the project just after).
  const own = await availableReferentials(root, io.cwd, lang);
  const available = own.some((r) => r.hash === hash) ? own : [...own, loaded];
  const errors = checkSessionText(text, displayPath(file, io.cwd), id, available, lang);
  if (errors.length > 0) {
    throw new InvalidFilesError(
      pick(
        lang,
        'session non créée, rien n’a été écrit',
        'session not created, nothing was written',
      ),
      errors,
    );
  }
  // Checked before the first write (the référentiel's copy): all of it, or nothing.
  assertSchemaCopyWritable(root, lang, io.cwd);
  // A référentiel from outside the project (bundled, or a file elsewhere) is copied into its
  // referentials/ folder (same content, same hash): the session keeps working wherever it goes.
  if (path.dirname(loaded.abs) !== refDir) {
    const own = await availableReferentials(root, io.cwd, lang);
    if (!own.some((r) => !r.bundled && r.ref.id === ref.id && r.ref.version === ref.version)) {
      assertInsideProject(root, refDir, lang, io.cwd);
      await mkdir(refDir, { recursive: true });
      let dest = path.join(refDir, `${ref.id}.yaml`);
      if ((await pathKind(dest)) !== 'missing')
        dest = path.join(refDir, `${ref.id}-${ref.version}.yaml`);
      if ((await pathKind(dest)) !== 'missing') {
        throw new InputError(
          pick(
            lang,
            `${displayPath(dest, io.cwd)} existe déjà avec un autre contenu.`,
            `${displayPath(dest, io.cwd)} already exists with other content.`,
          ),
          pick(
            lang,
            'Renommez ce fichier ou donnez une autre version au référentiel.',
            'Rename that file or give the référentiel another version.',
          ),
        );
      }
      // lstat, not stat: a dangling link reads as missing above, and copyFile would follow it.
      assertInsideProject(root, dest, lang, io.cwd);
      const text = await readFile(loaded.abs, 'utf8');
      const withSchema = text.replace(
        /^# yaml-language-server: \$schema=.*$/m,
        `#${schemaComment(root, refDir, 'referential')}`,
      );
      if (withSchema === text) await copyFile(loaded.abs, dest);
      else await writeFileAtomic(dest, withSchema);
      copied = dest;
    }
  }

  assertInsideProject(root, file, lang, io.cwd);
  // The project's own copy of the schemas, which the schema lines of its files point to.
  const schemas = await ensureProjectSchemas(root, lang, io.cwd);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(file, text);
  io.stderr.write(
    pick(
      lang,
      `✔ Session créée : ${displayPath(file, io.cwd)} (référentiel ${ref.id} ${ref.version}, ${hash.slice(0, 19)}…)\n`,
      `✔ Session created: ${displayPath(file, io.cwd)} (référentiel ${ref.id} ${ref.version}, ${hash.slice(0, 19)}…)\n`,
    ),
  );
  // Several versions side by side: say which one was taken and how to take another.
  const versions = own
    .filter((r) => r.ref.id === ref.id)
    .map((r) => r.ref.version)
    .sort(compareVersions);
  if (versions.length > 1 && !options.referential?.includes('@')) {
    io.stderr.write(
      pick(
        lang,
        `  Versions disponibles : ${versions.join(', ')} ; la session est attachée à ${ref.version}. Pour une autre : --referential ${ref.id}@<version>.\n`,
        `  Available versions: ${versions.join(', ')}; the session is pinned to ${ref.version}. For another: --referential ${ref.id}@<version>.\n`,
      ),
    );
  }
  if (schemas.length > 0) {
    const folder = `${displayPath(path.dirname(schemas[0] as string), io.cwd)}/`;
    io.stderr.write(
      pick(
        lang,
        `  Schémas JSON copiés dans ${folder} (pour les éditeurs ; à versionner avec le projet)\n`,
        `  JSON Schemas copied to ${folder} (for editors; commit them with the project)\n`,
      ),
    );
  }
  if (copied) {
    io.stderr.write(
      pick(
        lang,
        `  Référentiel copié dans ${displayPath(copied, io.cwd)}\n`,
        `  Référentiel copied to ${displayPath(copied, io.cwd)}\n`,
      ),
    );
  }
  io.stderr.write(
    pick(
      lang,
      '  Ensuite : déclarez les jurés et les jurys dans session.yaml, puis certif candidates import <fichier.csv>.\n',
      '  Next: declare jurors and juries in session.yaml, then certif candidates import <file.csv>.\n',
    ),
  );
  return 0;
}

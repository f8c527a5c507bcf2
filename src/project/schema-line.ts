import { lstatSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic, registerMessages } from '../diagnostics/messages.js';
import { schemaFiles } from '../schema/options.js';
import { schemaFileName, schemasDir, type FileKind } from '../schema/registry.js';
import { writeBytesAtomic, writeFileAtomic } from '../source/write.js';
import { InputError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import { assertInsideProject, symlinkBelow } from './confine.js';
import { displayPath } from './files.js';

/**
 * Where a project keeps its own copy of certif's JSON Schemas, from the project root. The
 * `# yaml-language-server` line of every file certif writes points there, relative to the file:
 * the line then names no folder of the machine or of the certif installation that wrote it, and
 * stays byte-identical whoever writes the file. A dot-folder, as `.vscode/` or `.git/`: certif
 * maintains it, nobody edits it, and `certif validate` never reads it as a project file.
 */
export const PROJECT_SCHEMAS_DIR = path.join('.certif', 'schemas');

registerMessages({
  'project/schemas-stale': {
    severity: 'info',
    fr: (p) => [
      `La copie des schémas du projet (${String(p.folder)}) ${p.missing ? 'est absente' : `diffère des schémas de ce certif (${String(p.files)})`} : les éditeurs YAML ${p.missing ? 'ne peuvent pas vérifier' : 'vérifient avec d’anciennes règles'} les fichiers du projet.`,
      `Lancez « certif schemas » pour ${p.missing ? 'la créer' : 'la mettre à jour'}, puis versionnez ${String(p.folder)} avec le projet (toute commande qui écrit un fichier du projet le fait aussi).`,
    ],
    en: (p) => [
      `The project's copy of the schemas (${String(p.folder)}) ${p.missing ? 'is missing' : `differs from this certif's schemas (${String(p.files)})`}: YAML editors ${p.missing ? "cannot check the project's files" : "check the project's files against old rules"}.`,
      `Run "certif schemas" to ${p.missing ? 'create' : 'update'} it, then commit ${String(p.folder)} with the project (any command writing a project file does it too).`,
    ],
  },
  'project/schemas-link': {
    severity: 'info',
    fr: (p) => [
      `La copie des schémas passe par le lien symbolique ${String(p.link)} → ${String(p.target)} : certif n’écrit à travers aucun lien symbolique dans un projet, elle ne sera pas mise à jour.`,
      `Remplacez ${String(p.link)} par un vrai dossier ou fichier (ou supprimez-le), puis lancez « certif schemas ».`,
    ],
    en: (p) => [
      `The schema copy goes through the symbolic link ${String(p.link)} → ${String(p.target)}: certif writes through no symbolic link inside a project, so it will not be updated.`,
      `Replace ${String(p.link)} by a real folder or file (or remove it), then run "certif schemas".`,
    ],
  },
});

/**
 * The `yaml-language-server` comment of a file written in `folder` of the project at `root`
 * (the comment's text, without the leading `#`): the path of the project's copy of the kind's
 * schema, relative to that folder.
 */
export function schemaComment(root: string, folder: string, kind: FileKind): string {
  const target = path.join(path.resolve(root), PROJECT_SCHEMAS_DIR, schemaFileName(kind));
  const rel = path.relative(path.resolve(folder), target).split(path.sep).join('/');
  return ` yaml-language-server: $schema=${rel}`;
}

const SCHEMA_LINE = /^# yaml-language-server: \$schema=[^\n]*/;

/**
 * `text` with its first line set to the project's schema line when it is a `yaml-language-server`
 * line (a line written by an older certif names a folder of the machine that wrote it); any
 * other text is left as it is.
 */
export function withSchemaLine(text: string, root: string, folder: string, kind: FileKind): string {
  if (!SCHEMA_LINE.test(text)) return text;
  return text.replace(SCHEMA_LINE, `#${schemaComment(root, folder, kind)}`);
}

let installed: Map<string, Buffer> | undefined;

/** The schemas of the running certif, by file name, read once per process. */
function installedSchemas(): Map<string, Buffer> {
  if (!installed) {
    const dir = fileURLToPath(schemasDir);
    const names = Object.values(schemaFiles).sort();
    // Read synchronously: five small files, and `validate` waits for them anyway.
    installed = new Map(names.map((n) => [n, readFileSync(path.join(dir, n))]));
  }
  return installed;
}

/** What differs between the project's copy and the installed schemas. */
export interface SchemaCopyState {
  /** The copy's folder, absolute. */
  readonly folder: string;
  /** File names missing from the copy or with other bytes, sorted. */
  readonly stale: readonly string[];
  /** No copy at all. */
  readonly missing: boolean;
}

/** Compare the project's copy of the schemas with the installed ones; reads only. */
// eslint-disable-next-line @typescript-eslint/require-await -- async for callers; small sync reads inside
export async function schemaCopyState(root: string): Promise<SchemaCopyState> {
  const folder = path.join(path.resolve(root), PROJECT_SCHEMAS_DIR);
  const stale: string[] = [];
  let present = 0;
  for (const [name, bytes] of installedSchemas()) {
    const file = path.join(folder, name);
    let own: Buffer | undefined;
    try {
      // A link is never read through: it counts as a copy to rewrite (the write refuses it).
      own = lstatSync(file).isFile() ? readFileSync(file) : undefined;
      present += 1;
    } catch {
      own = undefined;
    }
    if (!own?.equals(bytes)) stale.push(name);
  }
  return { folder, stale, missing: present === 0 };
}

/**
 * A copy that cannot be written (a file where its folder should be, a folder where a schema
 * should be, no permission): said with the path and what to do, never as an internal error.
 */
function copyRefused(file: string, error: unknown, lang: Lang, cwd: string): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const where = displayPath(file, cwd);
  const folder = displayPath(path.dirname(path.dirname(file)), cwd);
  return new InputError(
    pick(
      lang,
      `Impossible d’écrire la copie des schémas ${where} (${code}) : rien n’a été écrit.`,
      `Cannot write the schema copy ${where} (${code}): nothing was written.`,
    ),
    pick(
      lang,
      `${folder}/ ne contient que la copie des schémas pour les éditeurs : supprimez ce qui occupe sa place (un fichier ${folder}, ou un dossier à la place d’un schéma), puis relancez.`,
      `${folder}/ only holds the schema copy for editors: remove what stands in its place (a file ${folder}, or a folder where a schema should be), then run again.`,
    ),
  );
}

/**
 * Write the project's copy of the schemas where it is missing or differs from the installed
 * ones: atomic writes, never through a symbolic link (refused with exit 1, nothing written).
 * Looked at on every write (a few small reads): a copy deleted or replaced meanwhile is seen.
 * Returns the files written.
 */
export async function ensureProjectSchemas(
  root: string,
  lang: Lang,
  cwd: string,
): Promise<string[]> {
  const abs = path.resolve(root);
  const state = await schemaCopyState(abs);
  const written: string[] = [];
  if (state.stale.length > 0) {
    const schemas = installedSchemas();
    for (const name of state.stale) {
      const file = path.join(state.folder, name);
      assertInsideProject(abs, file, lang, cwd);
      try {
        await mkdir(state.folder, { recursive: true });
        await writeBytesAtomic(file, schemas.get(name) as Buffer);
      } catch (error) {
        throw copyRefused(file, error, lang, cwd);
      }
      written.push(file);
    }
  }
  return written;
}

/**
 * Write a file of the project at `root`: never through a symbolic link (checked again at each
 * write: one may be planted while the file is open), the project's copy of the schemas, which the
 * file's schema line points to, written first where it is missing or stale; then the file itself,
 * atomically.
 */
export async function writeProjectFile(
  root: string,
  file: string,
  text: string,
  lang: Lang,
  cwd: string,
): Promise<void> {
  assertInsideProject(root, file, lang, cwd);
  await ensureProjectSchemas(root, lang, cwd);
  await writeFileAtomic(file, text);
}

/**
 * Refuse (InputError) when writing the copy would go through a symbolic link: for a command
 * writing several files, checked before the first of them.
 */
export function assertSchemaCopyWritable(root: string, lang: Lang, cwd: string): void {
  const folder = path.join(path.resolve(root), PROJECT_SCHEMAS_DIR);
  for (const name of Object.values(schemaFiles).sort()) {
    assertInsideProject(root, path.join(folder, name), lang, cwd);
  }
}

/** The `project/schemas-stale` info of a project whose copy is missing or stale, if any. */
export async function schemaCopyDiagnostic(
  root: string,
  lang: Lang,
  cwd: string,
): Promise<Diagnostic | undefined> {
  const state = await schemaCopyState(root);
  if (state.stale.length === 0) return undefined;
  const folder = `${displayPath(state.folder, cwd)}/`;
  // A link on the way is the reason the copy cannot be refreshed: said as such.
  const found = [state.folder, ...state.stale.map((n) => path.join(state.folder, n))]
    .map((target) => symlinkBelow(root, target))
    .find((f) => f !== undefined);
  if (found) {
    const link = displayPath(found.link, cwd);
    return diagnostic(
      lang,
      'project/schemas-link',
      { link, target: found.target },
      { file: link, line: 1, column: 1 },
    );
  }
  return diagnostic(
    lang,
    'project/schemas-stale',
    { folder, files: state.stale.join(', '), missing: state.missing ? 1 : undefined },
    { file: folder, line: 1, column: 1 },
  );
}

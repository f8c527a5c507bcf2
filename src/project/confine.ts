import { lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic, registerMessages } from '../diagnostics/messages.js';
import { displayPath } from './files.js';

registerMessages({
  'file/symlink': {
    severity: 'error',
    fr: (p) => [
      `Lien symbolique ${String(p.link)} → ${String(p.target)} : certif ne suit aucun lien symbolique dans un projet (il pourrait mener hors du projet).`,
      'Remplacez le lien par le vrai fichier ou dossier (copiez-le à sa place), puis relancez.',
    ],
    en: (p) => [
      `Symbolic link ${String(p.link)} → ${String(p.target)}: certif follows no symbolic link inside a project (it could lead outside the project).`,
      'Replace the link by the real file or folder (copy it in its place), then run again.',
    ],
  },
});

/** A symbolic link met on a path, and where it points. */
export interface SymlinkFound {
  /** Absolute path of the link itself. */
  readonly link: string;
  /** What the link holds, as written in it. */
  readonly target: string;
  /** Does the link resolve to a place outside the project (or nowhere)? */
  readonly outside: boolean;
}

function linkTarget(link: string): string {
  try {
    return readlinkSync(link);
  } catch {
    return '?';
  }
}

function realOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

function isUnder(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The first symbolic link on the way from the project root down to `target` (the root itself
 * may be a link: only what lies below it is looked at), or undefined when there is none.
 * Components that do not exist yet are fine: certif creates them as real folders. A target that
 * is not lexically under the root is reported as a link leading outside.
 */
export function symlinkBelow(
  root: string,
  target: string,
  knownFolders?: Set<string>,
): SymlinkFound | undefined {
  // The exact string of a folder already looked at (callers pass normalised absolute paths): no
  // path to resolve, which thousands of calls in a render would do for nothing.
  if (knownFolders?.has(target)) return undefined;
  const base = path.resolve(root);
  const abs = path.resolve(target);
  if (knownFolders?.has(abs)) return undefined;
  // The common case (thousands of times in a render): the parent is a folder already looked at,
  // only the last component needs a look.
  const parent = path.dirname(abs);
  if (parent !== abs && knownFolders?.has(parent)) {
    if (knownFolders === readFolders) {
      listFoldersIn(parent);
      if (readFolders.has(abs)) return undefined;
    }
    const found = lookAt(base, abs, false, knownFolders);
    return found === 'missing' ? undefined : found;
  }
  if (!isUnder(abs, base)) return { link: abs, target: abs, outside: true };
  const parts = path.relative(base, abs).split(path.sep).filter(Boolean);
  let current = base;
  for (const [i, part] of parts.entries()) {
    current = path.join(current, part);
    const folder = i < parts.length - 1;
    if (folder && knownFolders?.has(current)) continue;
    const found = lookAt(base, current, folder, knownFolders);
    // Missing from here down: nothing below can be a link yet.
    if (found === 'missing') return undefined;
    if (found) return found;
  }
  return undefined;
}

/**
 * One component on the way down from `base`: the link it is, `missing`, or undefined for a real
 * file or folder (a folder, or any component above the last, is remembered in `knownFolders`).
 */
function lookAt(
  base: string,
  current: string,
  folder: boolean,
  knownFolders: Set<string> | undefined,
): SymlinkFound | 'missing' | undefined {
  let info;
  try {
    info = lstatSync(current, { throwIfNoEntry: false });
  } catch {
    return 'missing';
  }
  if (!info) return 'missing';
  if (!info.isSymbolicLink()) {
    if (folder || info.isDirectory()) knownFolders?.add(current);
    return undefined;
  }
  const realRoot = realOrUndefined(base) ?? base;
  const real = realOrUndefined(current);
  const found: SymlinkFound = {
    link: current,
    target: linkTarget(current),
    outside: real === undefined || !isUnder(real, realRoot),
  };
  return found;
}

/**
 * Refuse (InputError, exit 1) to write `target` when a symbolic link lies on its path below the
 * project root. One rule for every write certif makes in a project: evaluations, entries,
 * session.yaml, deliberation.yaml, référentiel copies, and their lock (`<target>.lock`, looked at
 * too) and temporary files, which sit next to them and are created exclusively (`wx` never
 * follows a link).
 */
export function assertInsideProject(root: string, target: string, lang: Lang, cwd: string): void {
  // The lock is read before the target is: a linked lock would be read through.
  const found = symlinkBelow(root, target) ?? symlinkBelow(root, `${target}.lock`);
  if (!found) return;
  const where = displayPath(target, cwd);
  const link = displayPath(found.link, cwd);
  throw new InputError(
    found.outside
      ? pick(
          lang,
          `Écriture refusée : ${where} passe par le lien symbolique ${link} → ${found.target}, qui mène hors du projet. Rien n’a été écrit.`,
          `Write refused: ${where} goes through the symbolic link ${link} → ${found.target}, which leads outside the project. Nothing was written.`,
        )
      : pick(
          lang,
          `Écriture refusée : ${where} passe par le lien symbolique ${link} → ${found.target} ; certif n’écrit à travers aucun lien symbolique dans un projet. Rien n’a été écrit.`,
          `Write refused: ${where} goes through the symbolic link ${link} → ${found.target}; certif writes through no symbolic link inside a project. Nothing was written.`,
        ),
    pick(
      lang,
      `Remplacez ${link} par le vrai dossier ou fichier (copiez-le à sa place), puis relancez.`,
      `Replace ${link} by the real folder or file (copy it in its place), then run again.`,
    ),
  );
}

/**
 * Folders already seen not to be links, for reads: a command reading 3,000 evaluations looks at
 * `sessions/<s>/evaluations/` once, not 3,000 times (writes always look again).
 */
const readFolders = new Set<string>();

/** Folders whose real subfolders were added to `readFolders` from one listing. */
const listedFolders = new Set<string>();

/**
 * Remember the real subfolders of a folder already seen not to be a link, from one listing of it:
 * a render reads the 1,000 candidate folders of `evaluations/`, and one readdir replaces 1,000
 * lstat calls. An entry that is a link is not a directory entry (its type is the link's), so it is
 * still looked at, and reported, by `lookAt`.
 */
function listFoldersIn(folder: string): void {
  if (listedFolders.has(folder)) return;
  listedFolders.add(folder);
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
  for (const entry of entries) if (entry.isDirectory()) readFolders.add(prefix + entry.name);
}

/** Forget the folders seen so far: each command looks at them afresh (see execute). */
export function forgetReadFolders(): void {
  readFolders.clear();
  listedFolders.clear();
}

/**
 * The `file/symlink` diagnostic of a file read through a symbolic link below the project root
 * (the file itself or one of its folders), or undefined: such a file is reported, never read.
 */
export function symlinkDiagnostic(
  root: string,
  target: string,
  display: string,
  lang: Lang,
  cwd: string,
): Diagnostic | undefined {
  const found = symlinkBelow(root, target, readFolders);
  if (!found) return undefined;
  return diagnostic(
    lang,
    'file/symlink',
    { link: displayPath(found.link, cwd), target: found.target },
    { file: display, line: 1, column: 1 },
  );
}

/** The `file/symlink` diagnostic of a path that is itself a symbolic link, or undefined. */
export function linkDiagnostic(abs: string, display: string, lang: Lang): Diagnostic | undefined {
  try {
    if (!lstatSync(abs).isSymbolicLink()) return undefined;
  } catch {
    return undefined;
  }
  return diagnostic(
    lang,
    'file/symlink',
    { link: display, target: linkTarget(abs) },
    { file: display, line: 1, column: 1 },
  );
}

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { InvalidFilesError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import type { Candidate, Session } from '../model/session.js';
import { gradedUnits, type GradedUnit, type Referential } from '../model/types.js';
import type { SourceFile } from '../source/parse.js';
import { checkProject } from './check.js';
import { symlinkDiagnostic } from './confine.js';
import { displayPath, pathKind } from './files.js';
import { assertUnique, scanReferentials } from './referentials.js';
import { findProjectRoot } from './root.js';

/** An opened, valid session with its référentiel. */
export interface SessionContext {
  readonly dir: string;
  readonly file: string;
  readonly root: string;
  readonly session: Session;
  readonly source: SourceFile;
  readonly ref: Referential;
  readonly units: readonly GradedUnit[];
  readonly lang: Lang;
  readonly cwd: string;
}

/** A session.yaml is there (a folder by that name counts: opening it then says what is wrong). */
async function hasSessionFile(dir: string): Promise<boolean> {
  return (await pathKind(path.join(dir, 'session.yaml'))) !== 'missing';
}

/**
 * The session folder to work on: `--session`, else the session folder containing the current
 * folder, else the only session of the project.
 */
export async function findSessionDir(
  option: string | undefined,
  cwd: string,
  lang: Lang,
): Promise<string> {
  if (option) {
    const dir = path.resolve(cwd, option);
    const asFile = path.basename(dir) === 'session.yaml' ? path.dirname(dir) : dir;
    if (await hasSessionFile(asFile)) return asFile;
    throw new UsageError(
      pick(
        lang,
        `Pas de session.yaml dans ${displayPath(asFile, cwd)}`,
        `No session.yaml in ${displayPath(asFile, cwd)}`,
      ),
      pick(
        lang,
        'Créez la session avec certif init <dossier> --referential <id>.',
        'Create the session with certif init <folder> --referential <id>.',
      ),
    );
  }
  let dir = path.resolve(cwd);
  for (;;) {
    if (await hasSessionFile(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const root = await findProjectRoot(cwd);
  const sessionsDir = path.join(root, 'sessions');
  let names: string[] = [];
  try {
    names = readdirSync(sessionsDir).sort();
  } catch {
    // no sessions folder
  }
  const found: string[] = [];
  for (const name of names)
    if (await hasSessionFile(path.join(sessionsDir, name))) found.push(name);
  if (found.length === 1 && found[0]) return path.join(sessionsDir, found[0]);
  throw new UsageError(
    pick(
      lang,
      'Quelle session ? Aucune session ne contient le dossier courant.',
      'Which session? No session contains the current folder.',
    ),
    found.length > 0
      ? pick(
          lang,
          `Ajoutez --session sessions/<id> (sessions : ${found.join(', ')}).`,
          `Add --session sessions/<id> (sessions: ${found.join(', ')}).`,
        )
      : pick(
          lang,
          'Créez-en une : certif init sessions/<id> --referential <id>.',
          'Create one: certif init sessions/<id> --referential <id>.',
        ),
  );
}

/** The session folder containing `cwd` (itself included), if any; no fallback to the project. */
export async function enclosingSessionDir(cwd: string): Promise<string | undefined> {
  let dir = path.resolve(cwd);
  for (;;) {
    if (await hasSessionFile(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Open a session: its file must be valid, its référentiel present and unchanged. */
export async function openSession(dir: string, cwd: string, lang: Lang): Promise<SessionContext> {
  const file = path.join(dir, 'session.yaml');
  const display = displayPath(file, cwd);
  const root = path.resolve(dir, '..', '..');
  // A session folder that is a link is not opened: every command would read and write through it.
  const linked = symlinkDiagnostic(root, file, display, lang, cwd);
  if (linked)
    throw new InvalidFilesError(
      pick(lang, `session illisible : ${display}`, `unreadable session: ${display}`),
      [linked],
    );
  const [checked] = await checkProject([{ abs: file, display, kind: 'session' }], { lang, cwd });
  const errors = checked?.diagnostics.filter((d) => d.severity === 'error') ?? [];
  const scan = await scanReferentials(root, cwd, lang);
  // Before the pin is judged: with two files for one version, which one it matches is luck.
  const pin = (checked?.source?.value as Partial<Session> | null | undefined)?.referential;
  if (typeof pin?.id === 'string' && typeof pin.version === 'string')
    assertUnique(scan, pin.id, pin.version, cwd, lang);
  if (!checked?.source || checked.value === undefined || errors.length > 0) {
    throw new InvalidFilesError(
      pick(lang, `session invalide : ${display}`, `invalid session: ${display}`),
      errors.length > 0 ? errors : (checked?.diagnostics ?? []),
    );
  }
  const session = checked.value as Session;
  const loaded = scan.usable.find(
    (r) => r.ref.id === session.referential.id && r.ref.version === session.referential.version,
  );
  if (!loaded) throw new Error('referential vanished between check and open');
  return {
    dir,
    file,
    root,
    session,
    source: checked.source,
    ref: loaded.ref,
    units: gradedUnits(loaded.ref),
    lang,
    cwd,
  };
}

/** A candidate of the session, or a usage error listing close matches. */
export function findCandidate(ctx: SessionContext, id: string): Candidate {
  const c = ctx.session.candidates.find((x) => x.id === id);
  if (c) return c;
  const lang = ctx.lang;
  const close = ctx.session.candidates
    .filter(
      (x) =>
        x.id.includes(id.toLowerCase()) || x.family_name.toLowerCase().includes(id.toLowerCase()),
    )
    .map((x) => x.id)
    .slice(0, 5);
  throw new UsageError(
    pick(lang, `Candidat inconnu : ${id}`, `Unknown candidate: ${id}`),
    close.length > 0
      ? pick(
          lang,
          `Vouliez-vous dire : ${close.join(', ')} ?`,
          `Did you mean: ${close.join(', ')}?`,
        )
      : pick(
          lang,
          'certif candidates list affiche les candidats de la session.',
          'certif candidates list shows the session’s candidates.',
        ),
  );
}

/** A unit (bloc or final evaluation) of the référentiel by id (any case), or a usage error. */
export function unitById(ctx: Pick<SessionContext, 'units' | 'lang'>, id: string): GradedUnit {
  const unit = ctx.units.find((u) => u.id.toLowerCase() === id.toLowerCase());
  if (unit) return unit;
  const known = ctx.units.map((u) => u.id).join(', ');
  throw new UsageError(
    pick(ctx.lang, `Bloc inconnu : ${id}`, `Unknown bloc: ${id}`),
    pick(ctx.lang, `Blocs : ${known}.`, `Blocs: ${known}.`),
  );
}

/** A unit (bloc or final evaluation) the candidate attempts, or a usage error. */
export function findUnit(ctx: SessionContext, candidate: Candidate, id: string): GradedUnit {
  const lang = ctx.lang;
  const unit = unitById(ctx, id);
  if (!candidate.blocs.includes(unit.id)) {
    throw new UsageError(
      pick(
        lang,
        `${candidate.id} ne présente pas ${unit.id} à cette session.`,
        `${candidate.id} does not attempt ${unit.id} in this session.`,
      ),
      pick(
        lang,
        `Blocs présentés : ${candidate.blocs.join(', ') || '—'}.`,
        `Blocs attempted: ${candidate.blocs.join(', ') || '—'}.`,
      ),
    );
  }
  return unit;
}

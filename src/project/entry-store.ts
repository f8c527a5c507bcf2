import { existsSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Document } from 'yaml';
import { yamlLib } from '../source/yaml-lib.js';
import { InputError, InvalidFilesError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { entryHash } from '../model/evaluation-hash.js';
import { type Candidate, type Entry, type Result } from '../model/session.js';
import { type GradedUnit } from '../model/types.js';
import { ruleContext } from '../rules/context.js';
import { checkEntry } from '../rules/double-marking.js';
import { validateSchema } from '../schema/diagnostics.js';
import { lockForCommand, ownerText, type Lock } from '../source/lock.js';
import { parseYamlText, yamlOptions, type SourceFile } from '../source/parse.js';
import { cleanOrphanTemps } from '../source/write.js';
import { assertNotClosed } from './evaluation-store.js';
import { assertInsideProject, symlinkDiagnostic } from './confine.js';
import { displayPath, pathKind, yamlFilesUnder } from './files.js';
import { loadFile, readText } from './load.js';
import { HeldFile } from './reread.js';
import { ResultsHandle } from './results-handle.js';
import { schemaComment } from './schema-line.js';
import type { SessionContext } from './session.js';

/** Is the session marked blind (each juror records an entry of their own)? */
export function isBlind(ctx: Pick<SessionContext, 'session'>): boolean {
  return ctx.session.double_marking === 'blind';
}

/** Path of a juror's entry, checked to stay inside the session's entries folder. */
export function entryPath(
  ctx: Pick<SessionContext, 'dir'>,
  candidateId: string,
  unitId: string,
  juror: string,
): string {
  const base = path.join(ctx.dir, 'entries');
  const file = path.resolve(base, candidateId, unitId, `${juror}.yaml`);
  const rel = path.relative(base, file).split(path.sep);
  if (rel.length !== 3 || rel[0] !== candidateId || rel[1] !== unitId || rel.includes('..')) {
    throw new InputError(`Invalid id: ${candidateId}/${unitId}/${juror}`);
  }
  return file;
}

/** Refuse a juror who does not sit on the unit's jury (before anything is created). */
export function checkJuror(ctx: SessionContext, unit: GradedUnit, juror: string): void {
  const jury = ctx.session.juries[unit.id] ?? [];
  if (jury.includes(juror)) return;
  throw new InputError(
    pick(
      ctx.lang,
      `« ${juror} » ne siège pas au jury de ${unit.id} (${jury.join(', ') || '—'}).`,
      `"${juror}" does not sit on the jury of ${unit.id} (${jury.join(', ') || '—'}).`,
    ),
    pick(
      ctx.lang,
      `Seuls les jurés du jury du bloc saisissent : --juror ${jury.join(' ou --juror ') || '<juré>'} (jury déclaré dans session.yaml).`,
      `Only the jurors of the bloc’s jury record entries: --juror ${jury.join(' or --juror ') || '<juror>'} (jury declared in session.yaml).`,
    ),
  );
}

/** A juror's entry open for writing: holds the file's lock until closed. */
export class EntryHandle extends ResultsHandle<Entry> {
  protected readonly kind = 'entry';

  private constructor(
    ctx: SessionContext,
    candidate: Candidate,
    unit: GradedUnit,
    readonly juror: string,
    file: string,
    doc: Document,
    lock: Lock,
    held: HeldFile,
  ) {
    super(ctx, candidate, unit, file, doc, lock, held);
  }

  /** Lock the entry file and read it (or start a new one). */
  static async open(
    ctx: SessionContext,
    candidate: Candidate,
    unit: GradedUnit,
    juror: string,
    who: string,
    now: Date,
  ): Promise<EntryHandle> {
    const { lang } = ctx;
    checkJuror(ctx, unit, juror);
    const file = entryPath(ctx, candidate.id, unit.id, juror);
    await assertNotClosed(ctx);
    // Before mkdir: a folder created through a link would already be outside the project.
    assertInsideProject(ctx.root, file, lang, ctx.cwd);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o750 });
    await cleanOrphanTemps(path.dirname(file));
    const lock = await lockForCommand(file, who, now, (o) => ({
      message: pick(
        lang,
        `${displayPath(file, ctx.cwd)} est en cours de saisie${ownerText(o, 'fr')}.`,
        `${displayPath(file, ctx.cwd)} is being graded${ownerText(o, 'en')}.`,
      ),
      hint: pick(
        lang,
        'Attendez la fin de cette saisie ; rien n’est perdu. Si ce processus n’existe plus, relancez : le verrou sera repris.',
        'Wait until that entry ends; nothing is lost. If that process is gone, run again: the lock will be taken over.',
      ),
    }));
    try {
      const { doc, text } = await readOrCreate(ctx, candidate, unit, juror, file);
      const held = new HeldFile(file, displayPath(file, ctx.cwd), lang, text, (source) =>
        checkSource(ctx, source, candidate.id, unit.id, juror).filter(
          (d) => d.severity === 'error',
        ),
      );
      return new EntryHandle(ctx, candidate, unit, juror, file, doc, lock, held);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Submitted entries are final. */
  get isFinal(): boolean {
    return this.value.status === 'submitted';
  }

  /** Submit: every competency judged; results given with it go in the same atomic write. */
  async submit(now: Date, updates: Readonly<Record<string, Result>> = {}): Promise<void> {
    const next = await this.nextDocument(updates, pick(this.ctx.lang, 'soumission', 'submit'));
    this.orderResults(next);
    const results = (next.toJS() as Entry).results;
    const missing = this.competencyIds.filter((id) => !(id in results));
    if (missing.length > 0) {
      throw new InputError(
        pick(
          this.ctx.lang,
          `Impossible de soumettre : ${missing.length} compétence(s) sans réponse (${missing.join(', ')}).`,
          `Cannot submit: ${missing.length} competenc(ies) unanswered (${missing.join(', ')}).`,
        ),
        pick(
          this.ctx.lang,
          `Saisissez-les d’abord (certif grade ${this.candidate.id} ${this.unit.id} --juror ${this.juror}).`,
          `Grade them first (certif grade ${this.candidate.id} ${this.unit.id} --juror ${this.juror}).`,
        ),
      );
    }
    next.set('status', 'submitted');
    next.set('submitted_at', now.toISOString());
    next.set('hash', entryHash(next.toJS() as Entry));
    // The file reads in the contract's order: who, status, when submitted, results, hash.
    const order = ['candidate', 'bloc', 'juror', 'status', 'submitted_at', 'results', 'hash'];
    if (yamlLib().isMap(next.contents)) {
      const rank = (p: unknown) => {
        const k = (p as { key?: unknown }).key;
        const i = order.indexOf(String(yamlLib().isScalar(k) ? k.value : k));
        return i < 0 ? order.length : i;
      };
      next.contents.items.sort((a, b) => rank(a) - rank(b));
    }
    await this.commit(next);
  }

  /** Release the lock; leave no empty folders behind when nothing was written. */
  async close(): Promise<void> {
    await this.lock.release();
    if ((await pathKind(this.file)) === 'missing') {
      const bloc = path.dirname(this.file);
      await rmdir(bloc).catch(() => undefined);
      await rmdir(path.dirname(bloc)).catch(() => undefined);
    }
  }

  protected finalError(): InputError {
    const { lang } = this.ctx;
    return new InputError(
      pick(
        lang,
        `La saisie de ${this.juror} pour ${this.candidate.id} ${this.unit.id} est soumise : elle ne se modifie plus.`,
        `${this.juror}’s entry for ${this.candidate.id} ${this.unit.id} is submitted: it is no longer changed.`,
      ),
      pick(
        lang,
        `Un écart avec l’autre juré se tranche au rapprochement : certif reconcile ${this.candidate.id} ${this.unit.id}.`,
        `A difference with the other juror is settled at reconciliation: certif reconcile ${this.candidate.id} ${this.unit.id}.`,
      ),
    );
  }

  protected check(text: string, display: string): Diagnostic[] {
    const parsed = parseYamlText(display, text, this.ctx.lang);
    return parsed.source
      ? checkSource(this.ctx, parsed.source, this.candidate.id, this.unit.id, this.juror).filter(
          (d) => d.severity === 'error',
        )
      : parsed.diagnostics;
  }
}

function checkSource(
  ctx: SessionContext,
  source: SourceFile,
  candidate: string,
  bloc: string,
  juror: string,
): Diagnostic[] {
  const schema = validateSchema(source, 'entry', ctx.lang);
  if (schema.length > 0) return schema;
  const rc = ruleContext(ctx.lang);
  checkEntry(
    rc,
    source,
    source.value as Entry,
    { session: path.basename(ctx.dir), candidate, bloc, juror },
    ctx.session,
    ctx.ref,
  );
  return rc.diagnostics;
}

async function readOrCreate(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
  juror: string,
  file: string,
): Promise<{ doc: Document; text: string | undefined }> {
  const display = displayPath(file, ctx.cwd);
  if ((await pathKind(file)) === 'missing') {
    const doc = new (yamlLib().Document)(
      { candidate: candidate.id, bloc: unit.id, juror, status: 'draft', results: {} },
      yamlOptions,
    );
    doc.commentBefore = schemaComment(ctx.root, path.dirname(file), 'entry');
    return { doc, text: undefined };
  }
  const read = await readText(file, display, ctx.lang);
  if (read.text === undefined) throw new InvalidFilesError(display, read.diagnostics);
  const parsed = parseYamlText(display, read.text, ctx.lang);
  const errors = parsed.source
    ? checkSource(ctx, parsed.source, candidate.id, unit.id, juror).filter(
        (d) => d.severity === 'error',
      )
    : parsed.diagnostics;
  if (!parsed.source || errors.length > 0) {
    throw new InvalidFilesError(
      pick(ctx.lang, `saisie invalide : ${display}`, `invalid entry: ${display}`),
      errors,
    );
  }
  return { doc: parsed.source.doc, text: read.text };
}

/** Where one juror's entry stands: no file, draft, submitted, or unreadable/invalid. */
export type EntryState = 'absent' | 'draft' | 'submitted' | 'invalid';

/** A juror's entry as read for status and reconciliation. */
export interface EntryRead {
  readonly juror: string;
  readonly file: string;
  readonly state: EntryState;
  readonly value?: Entry;
  readonly diagnostics: readonly Diagnostic[];
}

/** Read the entries of a unit's jury for a candidate, jurors in id order. */
export async function readEntries(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
): Promise<EntryRead[]> {
  const jurors = [...(ctx.session.juries[unit.id] ?? [])].sort();
  const out: EntryRead[] = [];
  for (const juror of jurors) {
    const file = entryPath(ctx, candidate.id, unit.id, juror);
    const display = displayPath(file, ctx.cwd);
    const linked = symlinkDiagnostic(ctx.root, file, display, ctx.lang, ctx.cwd);
    if (linked) {
      out.push({ juror, file, state: 'invalid', diagnostics: [linked] });
      continue;
    }
    if (!existsSync(file)) {
      out.push({ juror, file, state: 'absent', diagnostics: [] });
      continue;
    }
    const loaded = await loadFile<Entry>(file, display, 'entry', ctx.lang);
    if (!loaded.value || !loaded.source) {
      out.push({ juror, file, state: 'invalid', diagnostics: loaded.diagnostics });
      continue;
    }
    const errors = checkSource(ctx, loaded.source, candidate.id, unit.id, juror).filter(
      (d) => d.severity === 'error',
    );
    out.push(
      errors.length > 0
        ? { juror, file, state: 'invalid', diagnostics: errors }
        : { juror, file, state: loaded.value.status, value: loaded.value, diagnostics: [] },
    );
  }
  return out;
}

/** Progress of each juror's entry, never its content: "jdupont : soumise, pmartin : en cours". */
export function progressText(entries: readonly EntryRead[], lang: Lang): string {
  return entries
    .map((e) => {
      const state =
        e.state === 'submitted'
          ? pick(lang, 'soumise', 'submitted')
          : e.state === 'draft'
            ? pick(lang, 'en cours', 'in progress')
            : e.state === 'invalid'
              ? pick(lang, 'invalide', 'invalid')
              : pick(lang, 'non commencée', 'not started');
      return `${e.juror}${pick(lang, ' : ', ': ')}${state}`;
    })
    .join(', ');
}

/** A jury member's entry for one candidate and bloc, as read by {@link readSessionEntries}. */
export interface SessionEntryRead extends EntryRead {
  readonly candidate: string;
  readonly bloc: string;
}

/** Every jury entry of a session, and the YAML files under `entries/` that are none of them. */
export interface SessionEntries {
  /** Candidate × bloc × juror of the bloc's jury, in that order (ids sorted). */
  readonly reads: readonly SessionEntryRead[];
  /** Files under `entries/` that no candidate, bloc and juror of the session accounts for. */
  readonly strays: readonly string[];
}

/**
 * Read every entry a session can hold: for each candidate, each bloc they attempt and each
 * juror of that bloc's jury, the entry as {@link readEntries} checks it (schema, place, hash).
 * The one way entries are read in bulk (statistics), so a file that `validate` refuses is never
 * counted as a judgement.
 */
export async function readSessionEntries(ctx: SessionContext): Promise<SessionEntries> {
  const reads: SessionEntryRead[] = [];
  const known = new Set<string>();
  const candidates = [...ctx.session.candidates].sort((a, b) => (a.id < b.id ? -1 : 1));
  const units = [...ctx.units].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const candidate of candidates) {
    for (const unit of units) {
      if (!candidate.blocs.includes(unit.id)) continue;
      for (const read of await readEntries(ctx, candidate, unit)) {
        known.add(read.file);
        reads.push({ ...read, candidate: candidate.id, bloc: unit.id });
      }
    }
  }
  const strays = (await yamlFilesUnder(path.join(ctx.dir, 'entries')))
    .filter((file) => !known.has(file))
    .map((file) => displayPath(file, ctx.cwd));
  return { reads, strays };
}

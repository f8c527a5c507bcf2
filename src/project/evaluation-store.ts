import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Document } from 'yaml';
import { yamlLib } from '../source/yaml-lib.js';
import { setKeepingComments } from '../source/edit.js';
import { InputError, InvalidFilesError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { evaluationHash } from '../model/evaluation-hash.js';
import {
  toResultValue,
  type Candidate,
  type EntryBinding,
  type Evaluation,
  type Reconciled,
  type Result,
} from '../model/session.js';
import { type GradedUnit } from '../model/types.js';
import { checkEvaluation } from '../rules/evaluation.js';
import { ruleContext } from '../rules/context.js';
import { validateSchema } from '../schema/diagnostics.js';
import { lockForCommand, ownerText, type Lock } from '../source/lock.js';
import { parseYamlText, yamlOptions, type SourceFile } from '../source/parse.js';
import { cleanOrphanTemps } from '../source/write.js';
import { assertInsideProject } from './confine.js';
import { displayPath, pathKind } from './files.js';
import { readText } from './load.js';
import { HeldFile, typedAnswers } from './reread.js';
import { ResultsHandle } from './results-handle.js';
import { schemaComment } from './schema-line.js';
import type { SessionContext } from './session.js';

/** An id that is a single plain path component: no dot, separator or other character. */
const PLAIN_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Path of an evaluation file, checked to stay inside the session folder. */
export function evaluationPath(ctx: SessionContext, candidateId: string, unitId: string): string {
  const base = path.join(ctx.dir, 'evaluations');
  // Ids of letters, digits, `_` and `-` (what the schemas allow) cannot leave the folder: joined
  // as they are, without path.resolve, which cost ~20 ms over a render's 3,000 evaluations.
  if (path.isAbsolute(base) && PLAIN_ID.test(candidateId) && PLAIN_ID.test(unitId))
    return `${base}${path.sep}${candidateId}${path.sep}${unitId}.yaml`;
  const file = path.resolve(base, candidateId, `${unitId}.yaml`);
  if (!file.startsWith(base + path.sep) || path.basename(path.dirname(file)) !== candidateId) {
    throw new InputError(`Invalid id: ${candidateId}/${unitId}`);
  }
  return file;
}

/** An evaluation open for writing: holds the file's lock until closed. */
export class EvaluationHandle extends ResultsHandle<Evaluation> {
  protected readonly kind = 'evaluation';

  private constructor(
    ctx: SessionContext,
    candidate: Candidate,
    unit: GradedUnit,
    file: string,
    doc: Document,
    lock: Lock,
    held: HeldFile,
  ) {
    super(ctx, candidate, unit, file, doc, lock, held);
  }

  /** Lock the evaluation file and read it (or start a new one). */
  static async open(
    ctx: SessionContext,
    candidate: Candidate,
    unit: GradedUnit,
    who: string,
    now: Date,
  ): Promise<EvaluationHandle> {
    const { lang } = ctx;
    const file = evaluationPath(ctx, candidate.id, unit.id);
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
      const { doc, text } = await readOrCreate(ctx, candidate, unit, file, now);
      const held = new HeldFile(file, displayPath(file, ctx.cwd), lang, text, (source) =>
        checkSource(ctx, source, candidate.id, unit.id).filter((d) => d.severity === 'error'),
      );
      return new EvaluationHandle(ctx, candidate, unit, file, doc, lock, held);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  get isFinal(): boolean {
    return this.value.status === 'final';
  }

  /**
   * Finalise: every competency judged, signed by the jury's jurors. Results given with it are
   * written in the same atomic write: both, or neither.
   */
  async finalize(
    by: readonly string[],
    now: Date,
    updates: Readonly<Record<string, Result>> = {},
  ): Promise<void> {
    const next = await this.nextDocument(updates, pick(this.ctx.lang, 'finalisation', 'finalise'));
    this.orderResults(next);
    next.set('status', 'final');
    next.set('finalized', next.createNode({ by: [...by], at: now.toISOString() }));
    next.set('hash', evaluationHash(next.toJS() as Evaluation));
    await this.commit(next);
  }

  /**
   * Write the joint evaluation of a blind double-marked unit from its jurors' submitted entries:
   * every result (agreed or decided), the reconciliation and the entries' hashes, replacing a
   * previous draft reconciliation; finalised in the same write when signers are given.
   */
  async reconcile(
    results: Readonly<Record<string, Result>>,
    reconciliation: readonly Reconciled[],
    entries: readonly EntryBinding[],
    finalize?: { by: readonly string[]; at: Date },
  ): Promise<void> {
    await this.refresh(
      typedAnswers(
        Object.fromEntries(
          reconciliation.map((r) => [r.competency, { verdict: r.decision }] as const),
        ),
      ),
    );
    if (this.isFinal) throw this.finalError();
    const next = this.doc.clone();
    const map: Record<string, unknown> = {};
    for (const id of this.competencyIds) {
      const r = results[id];
      if (r) map[id] = toResultValue(r);
    }
    next.set('results', next.createNode(map));
    next.set('entries', next.createNode(entries.map((e) => ({ juror: e.juror, hash: e.hash }))));
    next.set('reconciliation', next.createNode(reconciliation.map((r) => ({ ...r }))));
    for (const item of [next.get('entries', true), next.get('reconciliation', true)]) {
      if (yamlLib().isSeq(item))
        for (const e of item.items) {
          const inner = yamlLib().isMap(e) ? e.get('entries', true) : undefined;
          if (yamlLib().isMap(inner)) inner.flow = true;
        }
    }
    this.orderResults(next);
    if (finalize) {
      next.set('status', 'final');
      next.set(
        'finalized',
        next.createNode({ by: [...finalize.by], at: finalize.at.toISOString() }),
      );
      next.set('hash', evaluationHash(next.toJS() as Evaluation));
    }
    await this.commit(next);
  }

  /** Append amendments to a final evaluation, chaining hashes over the whole audit trail. */
  async amend(
    changes: Readonly<Record<string, Result>>,
    by: string,
    reason: string,
    now: Date,
  ): Promise<void> {
    await this.refresh(typedAnswers(changes));
    const next = this.doc.clone();
    if (!next.has('amendments')) next.set('amendments', next.createNode([]));
    for (const [id, result] of Object.entries(changes)) {
      const current = next.toJS() as Evaluation;
      const previous = current.results[id];
      const amendment = {
        competency: id,
        ...(previous !== undefined ? { from: previous } : {}),
        to: toResultValue(result),
        by,
        at: now.toISOString(),
        reason,
        previous_hash: evaluationHash(current),
      };
      setKeepingComments(next, ['results', id], toResultValue(result));
      next.addIn(['amendments'], next.createNode(amendment));
      next.set('hash', evaluationHash(next.toJS() as Evaluation));
    }
    await this.commit(next);
  }

  /** Release the lock; leave no empty folder behind when nothing was written. */
  async close(): Promise<void> {
    await this.lock.release();
    if ((await pathKind(this.file)) === 'missing')
      await rmdir(path.dirname(this.file)).catch(() => undefined);
  }

  protected finalError(): InputError {
    const lang = this.ctx.lang;
    return new InputError(
      pick(
        lang,
        `${displayPath(this.file, this.ctx.cwd)} est finalisée : elle ne se modifie plus.`,
        `${displayPath(this.file, this.ctx.cwd)} is final: it is no longer edited.`,
      ),
      pick(
        lang,
        `Pour corriger : certif amend ${this.candidate.id} ${this.unit.id} --set C1=acquis --reason "…" --by <juré>.`,
        `To correct it: certif amend ${this.candidate.id} ${this.unit.id} --set C1=acquis --reason "…" --by <juror>.`,
      ),
    );
  }

  protected check(text: string, display: string): Diagnostic[] {
    return checkDocumentText(this.ctx, text, display, this.candidate.id, this.unit.id);
  }
}

/**
 * Once the jury de certification has closed its deliberation, the procès-verbal it signed rests on
 * the session's evaluations: none is graded or amended any more.
 */
export async function assertNotClosed(ctx: SessionContext): Promise<void> {
  const { readDeliberation } = await import('./deliberation.js');
  const closed = (await readDeliberation(ctx))?.value.closed;
  if (!closed) return;
  throw new InputError(
    pick(
      ctx.lang,
      `La délibération de la session est close depuis le ${closed.date} : ses évaluations ne se modifient plus.`,
      `The session's deliberation was closed on ${closed.date}: its evaluations are no longer changed.`,
    ),
    pick(
      ctx.lang,
      'Une correction après le jury relève d’une nouvelle délibération (session suivante) ; rien n’a été modifié.',
      'A correction after the jury belongs to a new deliberation (a later session); nothing was changed.',
    ),
  );
}

/** Errors an evaluation text would have once written (schema and rules). */
function checkDocumentText(
  ctx: SessionContext,
  text: string,
  display: string,
  candidate: string,
  bloc: string,
): Diagnostic[] {
  const parsed = parseYamlText(display, text, ctx.lang);
  if (!parsed.source) return parsed.diagnostics;
  return checkSource(ctx, parsed.source, candidate, bloc).filter((d) => d.severity === 'error');
}

function checkSource(
  ctx: SessionContext,
  source: SourceFile,
  candidate: string,
  bloc: string,
): Diagnostic[] {
  const schema = validateSchema(source, 'evaluation', ctx.lang);
  if (schema.length > 0) return schema;
  const rc = ruleContext(ctx.lang);
  checkEvaluation(
    rc,
    source,
    source.value as Evaluation,
    { session: path.basename(ctx.dir), candidate, bloc },
    ctx.session,
    ctx.ref,
  );
  return rc.diagnostics;
}

async function readOrCreate(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
  file: string,
  now: Date,
): Promise<{ doc: Document; text: string | undefined }> {
  const display = displayPath(file, ctx.cwd);
  if ((await pathKind(file)) === 'missing') {
    const doc = new (yamlLib().Document)(
      {
        candidate: candidate.id,
        bloc: unit.id,
        session: ctx.session.id,
        date: now.toISOString().slice(0, 10),
        jurors: [...(ctx.session.juries[unit.id] ?? [])],
        status: 'draft',
        results: {},
      },
      yamlOptions,
    );
    doc.commentBefore = schemaComment(ctx.root, path.dirname(file), 'evaluation');
    const jurors = doc.get('jurors', true);
    if (yamlLib().isSeq(jurors)) jurors.flow = true;
    return { doc, text: undefined };
  }
  const read = await readText(file, display, ctx.lang);
  if (read.text === undefined) throw new InvalidFilesError(display, read.diagnostics);
  const parsed = parseYamlText(display, read.text, ctx.lang);
  if (!parsed.source) {
    throw new InvalidFilesError(
      pick(ctx.lang, `évaluation illisible : ${display}`, `unreadable evaluation: ${display}`),
      parsed.diagnostics,
    );
  }
  const errors = checkSource(ctx, parsed.source, candidate.id, unit.id).filter(
    (d) => d.severity === 'error',
  );
  if (errors.length > 0) {
    throw new InvalidFilesError(
      pick(ctx.lang, `évaluation invalide : ${display}`, `invalid evaluation: ${display}`),
      errors,
    );
  }
  return { doc: parsed.source.doc, text: read.text };
}

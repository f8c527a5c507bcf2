import path from 'node:path';
import type { Io } from '../cli/io.js';
import { InputError, InvalidFilesError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import type { Proposal } from '../model/decide.js';
import type { Candidate, Evaluation } from '../model/session.js';
import type { GradedUnit } from '../model/types.js';
import { checkJuror, EntryHandle, isBlind, readEntries } from '../project/entry-store.js';
import { EvaluationHandle, evaluationPath } from '../project/evaluation-store.js';
import { displayPath, pathKind } from '../project/files.js';
import { loadFile, readTextFile } from '../project/load.js';
import {
  findCandidate,
  findSessionDir,
  findUnit,
  openSession,
  type SessionContext,
} from '../project/session.js';
import { ruleContext } from '../rules/context.js';
import { checkReconciled } from '../rules/double-marking.js';
import { collectInput, mergeInput } from './grade-input.js';

/** Options of `certif grade`. */
export interface GradeOptions {
  readonly session?: string | undefined;
  readonly set: readonly string[];
  readonly observation: readonly string[];
  readonly from?: string | undefined;
  readonly finalize: boolean;
  readonly by?: string | undefined;
  /** Blind double marking: the juror recording their own entry. */
  readonly juror?: string | undefined;
  /** Blind double marking: submit the juror's entry (final). */
  readonly submit?: boolean | undefined;
  readonly lang: Lang;
}

/** The proposal in words. */
export function proposalText(p: Proposal, lang: Lang): string {
  const count = pick(
    lang,
    `${p.acquired} acquise(s), ${p.notAcquired} non acquise(s) sur ${p.total}`,
    `${p.acquired} acquired, ${p.notAcquired} not acquired out of ${p.total}`,
  );
  const decision =
    p.decision === 'valide'
      ? pick(lang, 'proposition : bloc validé', 'proposal: bloc validated')
      : p.decision === 'non_valide'
        ? pick(lang, 'proposition : bloc non validé', 'proposal: bloc not validated')
        : pick(
            lang,
            `incomplet (${p.total - p.acquired - p.notAcquired} sans réponse)`,
            `incomplete (${p.total - p.acquired - p.notAcquired} unanswered)`,
          );
  const required =
    p.missingRequired.length > 0
      ? pick(
          lang,
          ` · exigées non acquises : ${p.missingRequired.join(', ')}`,
          ` · required not acquired: ${p.missingRequired.join(', ')}`,
        )
      : '';
  return `${count} — ${decision}${required}`;
}

/** The jury of a unit, checked to exist (the session rules already checked its composition). */
export function juryOf(ctx: SessionContext, unit: GradedUnit): string[] {
  const jury = ctx.session.juries[unit.id];
  if (!jury || jury.length === 0) {
    throw new InputError(
      pick(
        ctx.lang,
        `Aucun jury n’est déclaré pour ${unit.id} dans la session.`,
        `No jury is declared for ${unit.id} in the session.`,
      ),
      pick(
        ctx.lang,
        `Ajoutez « ${unit.id}: [juré1, juré2] » sous juries dans session.yaml.`,
        `Add "${unit.id}: [juror1, juror2]" under juries in session.yaml.`,
      ),
    );
  }
  return [...jury];
}

/** Check `--by`: exactly the jurors of the unit's jury, each once. */
export function checkSigners(
  ctx: SessionContext,
  unit: GradedUnit,
  by: readonly string[],
): string[] {
  const jury = juryOf(ctx, unit);
  const signers = [...new Set(by.map((b) => b.trim()).filter(Boolean))];
  const ok = signers.length === jury.length && jury.every((j) => signers.includes(j));
  if (!ok) {
    throw new InputError(
      pick(
        ctx.lang,
        `La finalisation doit être confirmée par les ${jury.length} jurés du jury de ${unit.id} (${jury.join(', ')}), pas par « ${by.join(',')} ».`,
        `Finalising must be confirmed by the ${jury.length} jurors of ${unit.id} (${jury.join(', ')}), not by "${by.join(',')}".`,
      ),
      pick(ctx.lang, `Ajoutez --by ${jury.join(',')}.`, `Add --by ${jury.join(',')}.`),
    );
  }
  return jury;
}

/** The evaluation must be complete to be finalised. */
export function checkComplete(
  handle: EvaluationHandle,
  lang: Lang,
  pending: Readonly<Record<string, unknown>> = {},
): void {
  const results = { ...handle.results(), ...pending };
  const missing = handle.competencyIds.filter((id) => !(id in results));
  if (missing.length > 0) {
    throw new InputError(
      pick(
        lang,
        `Impossible de finaliser : ${missing.length} compétence(s) sans réponse (${missing.join(', ')}).`,
        `Cannot finalise: ${missing.length} competenc(ies) unanswered (${missing.join(', ')}).`,
      ),
      pick(lang, 'Saisissez-les d’abord (certif grade).', 'Grade them first (certif grade).'),
    );
  }
}

/** `certif grade [candidate] [bloc]`: interactive on a terminal, from flags otherwise. */
export async function gradeCommand(
  candidateId: string | undefined,
  unitId: string | undefined,
  options: GradeOptions,
  io: Io,
): Promise<number> {
  const { lang } = options;
  const hasFlags =
    options.set.length > 0 ||
    options.observation.length > 0 ||
    options.from !== undefined ||
    options.finalize ||
    options.submit === true;
  if (options.submit && options.juror === undefined) {
    throw new UsageError(
      pick(
        lang,
        '--submit soumet la saisie d’un juré : ajoutez --juror <juré>.',
        '--submit submits a juror’s entry: add --juror <juror>.',
      ),
    );
  }
  if (options.juror !== undefined && options.finalize) {
    throw new UsageError(
      pick(
        lang,
        '--finalize ne s’applique qu’à l’évaluation commune : un juré soumet sa saisie avec --submit.',
        '--finalize only applies to the joint evaluation: a juror submits their entry with --submit.',
      ),
    );
  }
  if (options.by !== undefined && !options.finalize) {
    throw new UsageError(
      pick(lang, '--by ne sert qu’avec --finalize.', '--by is only used with --finalize.'),
    );
  }
  if (!hasFlags && !(io.stdinIsTTY && io.stdoutIsTTY)) {
    // A mistyped candidate or bloc is the first thing to say, terminal or not.
    if (candidateId !== undefined) {
      const ctx = await openSession(
        await findSessionDir(options.session, io.cwd, lang),
        io.cwd,
        lang,
      );
      const candidate = findCandidate(ctx, candidateId);
      if (unitId !== undefined) findUnit(ctx, candidate, unitId);
    }
    throw new UsageError(
      pick(
        lang,
        'Pas de terminal interactif, et aucune saisie donnée.',
        'No interactive terminal, and no entry given.',
      ),
      pick(
        lang,
        'Sans terminal : certif grade <candidat> <bloc> --set C1=acquis --set C2=NA --observation C2="…" (ou --from fichier.csv|yaml), et --finalize --by <juré>,<juré>.',
        'Without a terminal: certif grade <candidate> <bloc> --set C1=acquis --set C2=NA --observation C2="…" (or --from file.csv|yaml), and --finalize --by <juror>,<juror>.',
      ),
    );
  }
  const dir = await findSessionDir(options.session, io.cwd, lang);
  const ctx = await openSession(dir, io.cwd, lang);
  const blind = isBlind(ctx);
  const entering =
    options.set.length > 0 || options.observation.length > 0 || options.from !== undefined;
  if (!blind && options.juror !== undefined) {
    throw new InputError(
      pick(
        lang,
        'Cette session n’est pas en double correction à l’aveugle : --juror ne s’applique pas.',
        'This session does not use blind double marking: --juror does not apply.',
      ),
      pick(
        lang,
        'Ajoutez « double_marking: blind » à session.yaml avant toute saisie, ou saisissez sans --juror.',
        'Add "double_marking: blind" to session.yaml before any grading, or grade without --juror.',
      ),
    );
  }
  if (blind && options.juror === undefined && (entering || !hasFlags)) throw blindRefusal(lang);
  if (!hasFlags) {
    const { interactiveGrade } = await import('./grade-tui.js');
    return interactiveGrade(ctx, candidateId, unitId, io, options.juror);
  }
  if (!candidateId || !unitId) {
    throw new UsageError(
      pick(
        lang,
        `Précisez ${candidateId ? 'le bloc' : 'le candidat et le bloc'}.`,
        `Give ${candidateId ? 'the bloc' : 'the candidate and the bloc'}.`,
      ),
      pick(
        lang,
        'certif grade <candidat> <bloc> --set C1=acquis …',
        'certif grade <candidate> <bloc> --set C1=acquis …',
      ),
    );
  }
  const candidate: Candidate = findCandidate(ctx, candidateId);
  const unit = findUnit(ctx, candidate, unitId);
  juryOf(ctx, unit);
  if (options.finalize && options.by === undefined) {
    throw new UsageError(
      pick(
        lang,
        '--finalize demande les deux jurés : --by <juré>,<juré>.',
        '--finalize needs both jurors: --by <juror>,<juror>.',
      ),
    );
  }
  const fromPath = options.from ? path.resolve(io.cwd, options.from) : undefined;
  if (fromPath && (await pathKind(fromPath)) !== 'file') {
    throw new UsageError(
      pick(
        lang,
        `Fichier introuvable : ${options.from ?? ''}`,
        `No such file: ${options.from ?? ''}`,
      ),
      pick(lang, 'Vérifiez le chemin donné à --from.', 'Check the path given to --from.'),
    );
  }
  const from =
    fromPath && options.from
      ? { file: options.from, text: await readTextFile(fromPath, options.from, lang) }
      : undefined;
  const input = collectInput(unit, options.set, options.observation, from, lang);
  if (options.juror !== undefined) {
    return gradeEntry(ctx, candidate, unit, options.juror, input, options.submit === true, io);
  }
  const signers = options.finalize ? checkSigners(ctx, unit, (options.by ?? '').split(',')) : [];
  if (blind) await assertReconciled(ctx, candidate, unit);
  const handle = await EvaluationHandle.open(ctx, candidate, unit, 'certif grade', io.now());
  try {
    const updates = mergeInput(input, handle.results(), ctx.ref, unit, lang);
    const count = Object.keys(updates).length;
    // Answers and finalisation go in one write: a refused finalisation leaves the file as it was.
    if (options.finalize) {
      checkComplete(handle, lang, updates);
      await handle.finalize(signers, io.now(), updates);
    } else if (count > 0) {
      await handle.record(updates);
    }
    if (handle.rereadNotice) io.stderr.write(`⟳ ${handle.rereadNotice}\n`);
    const answered = Object.keys(handle.results()).length;
    io.stderr.write(
      pick(
        lang,
        `✔ ${count} réponse(s) enregistrée(s) — ${candidate.id} ${unit.id} : ${answered}/${handle.competencyIds.length} · ${proposalText(handle.proposal(), lang)}${handle.isFinal ? ' · finalisée' : ' · brouillon'}\n  ${displayPath(handle.file, io.cwd)}\n`,
        `✔ ${count} answer(s) recorded — ${candidate.id} ${unit.id}: ${answered}/${handle.competencyIds.length} · ${proposalText(handle.proposal(), lang)}${handle.isFinal ? ' · final' : ' · draft'}\n  ${displayPath(handle.file, io.cwd)}\n`,
      ),
    );
    return 0;
  } finally {
    await handle.close();
  }
}

/** In a blind session, the joint evaluation is not graded directly. */
function blindRefusal(lang: Lang): InputError {
  return new InputError(
    pick(
      lang,
      'Session en double correction à l’aveugle : l’évaluation commune ne se saisit pas directement.',
      'Blind double-marked session: the joint evaluation is not graded directly.',
    ),
    pick(
      lang,
      'Chaque juré saisit seul : certif grade <candidat> <bloc> --juror <juré> (puis --submit) ; le jury rapproche ensuite : certif reconcile <candidat> <bloc>.',
      'Each juror grades alone: certif grade <candidate> <bloc> --juror <juror> (then --submit); the jury then reconciles: certif reconcile <candidate> <bloc>.',
    ),
  );
}

/**
 * In a blind session, the joint evaluation exists only once reconciled: finalising before that is
 * refused, naming what is missing.
 */
export async function assertReconciled(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
): Promise<void> {
  const { lang } = ctx;
  const file = evaluationPath(ctx, candidate.id, unit.id);
  if ((await pathKind(file)) === 'file') {
    const loaded = await loadFile<Evaluation>(file, displayPath(file, ctx.cwd), 'evaluation', lang);
    if (loaded.value?.entries && loaded.source) {
      // A reconciled draft edited by hand since is not finalised as the jury's.
      const rc = ruleContext(lang);
      const entries = new Map(
        (await readEntries(ctx, candidate, unit)).map((e) => [
          e.juror,
          { display: displayPath(e.file, ctx.cwd), ...(e.value ? { value: e.value } : {}) },
        ]),
      );
      checkReconciled(rc, loaded.source, loaded.value, ctx.session, ctx.ref, entries);
      const errors = rc.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length === 0) return;
      throw new InvalidFilesError(
        pick(
          lang,
          `l’évaluation commune ne correspond plus aux saisies des jurés, rien n’a été finalisé : ${displayPath(file, ctx.cwd)}`,
          `the joint evaluation no longer matches the jurors’ entries, nothing was finalised: ${displayPath(file, ctx.cwd)}`,
        ),
        errors,
      );
    }
  }
  const entries = await readEntries(ctx, candidate, unit);
  const pending = entries.filter((e) => e.state !== 'submitted').map((e) => e.juror);
  throw new InputError(
    pick(
      lang,
      `${candidate.id} ${unit.id} doit d’abord être rapprochée : impossible de finaliser avant le rapprochement des saisies des jurés.`,
      `${candidate.id} ${unit.id} must be reconciled first: it cannot be finalised before the jurors’ entries are reconciled.`,
    ),
    pending.length > 0
      ? pick(
          lang,
          `Saisies non soumises : ${pending.join(', ')} (certif grade ${candidate.id} ${unit.id} --juror <juré> --submit), puis certif reconcile ${candidate.id} ${unit.id}.`,
          `Entries not submitted: ${pending.join(', ')} (certif grade ${candidate.id} ${unit.id} --juror <juror> --submit), then certif reconcile ${candidate.id} ${unit.id}.`,
        )
      : pick(
          lang,
          `Lancez certif reconcile ${candidate.id} ${unit.id} (avec --finalize --by ${juryOf(ctx, unit).join(',')} pour finaliser en même temps).`,
          `Run certif reconcile ${candidate.id} ${unit.id} (with --finalize --by ${juryOf(ctx, unit).join(',')} to finalise at the same time).`,
        ),
  );
}

/** A juror's own entry from flags: record, or submit (answers and submission in one write). */
async function gradeEntry(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
  juror: string,
  input: ReturnType<typeof collectInput>,
  submit: boolean,
  io: Io,
): Promise<number> {
  const { lang } = ctx;
  checkJuror(ctx, unit, juror);
  const handle = await EntryHandle.open(
    ctx,
    candidate,
    unit,
    juror,
    `certif grade (${juror})`,
    io.now(),
  );
  try {
    const updates = mergeInput(input, handle.results(), ctx.ref, unit, lang);
    const count = Object.keys(updates).length;
    if (submit) await handle.submit(io.now(), updates);
    else if (count > 0) await handle.record(updates);
    if (handle.rereadNotice) io.stderr.write(`⟳ ${handle.rereadNotice}\n`);
    const answered = Object.keys(handle.results()).length;
    // Only this juror's own figures: nothing about the other juror's entry.
    const total = handle.competencyIds.length;
    if (submit) {
      // "0 answer(s) recorded" would hide what did happen: the entry became final.
      io.stderr.write(
        pick(
          lang,
          `✔ Saisie de ${juror} soumise (définitive) — ${candidate.id} ${unit.id} : ${answered}/${total} répondue(s)${count > 0 ? `, dont ${count} enregistrée(s) à l’instant` : ''}\n  ${displayPath(handle.file, io.cwd)}\n`,
          `✔ ${juror}’s entry submitted (final) — ${candidate.id} ${unit.id}: ${answered}/${total} answered${count > 0 ? `, ${count} of them recorded now` : ''}\n  ${displayPath(handle.file, io.cwd)}\n`,
        ),
      );
      return 0;
    }
    io.stderr.write(
      pick(
        lang,
        `✔ ${count} réponse(s) enregistrée(s) — saisie de ${juror}, ${candidate.id} ${unit.id} : ${answered}/${handle.competencyIds.length}${handle.isFinal ? ' · soumise (définitive)' : ' · brouillon'}\n  ${displayPath(handle.file, io.cwd)}\n`,
        `✔ ${count} answer(s) recorded — ${juror}’s entry, ${candidate.id} ${unit.id}: ${answered}/${handle.competencyIds.length}${handle.isFinal ? ' · submitted (final)' : ' · draft'}\n  ${displayPath(handle.file, io.cwd)}\n`,
      ),
    );
    return 0;
  } finally {
    await handle.close();
  }
}

import type { Io } from '../cli/io.js';
import { InputError, InvalidFilesError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import {
  parseVerdict,
  toResult,
  type Candidate,
  type Entry,
  type EntryBinding,
  type Reconciled,
  type Result,
} from '../model/session.js';
import { competenciesOf, type GradedUnit, type Verdict } from '../model/types.js';
import { isBlind, progressText, readEntries } from '../project/entry-store.js';
import { EvaluationHandle } from '../project/evaluation-store.js';
import { displayPath } from '../project/files.js';
import {
  findCandidate,
  findSessionDir,
  findUnit,
  openSession,
  type SessionContext,
} from '../project/session.js';
import { formatDate } from '../render/view-models.js';
import { differences } from '../rules/double-marking.js';
import { competencyId } from './grade-input.js';
import { assertReconciled, checkSigners, juryOf } from './grade.js';

/** Options of `certif reconcile`. */
export interface ReconcileOptions {
  readonly session?: string | undefined;
  readonly decision: readonly string[];
  readonly reason: readonly string[];
  readonly finalize: boolean;
  readonly by?: string | undefined;
  readonly lang: Lang;
}

/** A competency where the submitted entries differ, with what each juror wrote. */
export interface Difference {
  readonly competency: string;
  readonly label: string;
  /** Juror id → verdict, jurors in id order. */
  readonly entries: Readonly<Record<string, Verdict>>;
  /** Juror id → observation, when they wrote one. */
  readonly observations: Readonly<Record<string, string>>;
}

const verdictText = (v: Verdict, lang: Lang): string =>
  v === 'acquis' ? pick(lang, 'Acquis', 'Acquired') : pick(lang, 'Non acquis', 'Not acquired');

/** `certif reconcile <candidate> <bloc>`: settle where the jurors' entries differ. */
export async function reconcileCommand(
  candidateId: string,
  unitId: string,
  options: ReconcileOptions,
  io: Io,
): Promise<number> {
  const { lang } = options;
  if (options.by !== undefined && !options.finalize) {
    throw new UsageError(
      pick(lang, '--by ne sert qu’avec --finalize.', '--by is only used with --finalize.'),
    );
  }
  if (options.finalize && options.by === undefined) {
    throw new UsageError(
      pick(
        lang,
        '--finalize demande les deux jurés : --by <juré>,<juré>.',
        '--finalize needs both jurors: --by <juror>,<juror>.',
      ),
    );
  }
  const dir = await findSessionDir(options.session, io.cwd, lang);
  const ctx = await openSession(dir, io.cwd, lang);
  if (!isBlind(ctx)) {
    throw new InputError(
      pick(
        lang,
        'Cette session n’est pas en double correction à l’aveugle : il n’y a rien à rapprocher.',
        'This session does not use blind double marking: there is nothing to reconcile.',
      ),
      pick(
        lang,
        'Le jury saisit directement : certif grade <candidat> <bloc>. Pour la double correction, ajoutez « double_marking: blind » à session.yaml avant toute saisie.',
        'The jury grades directly: certif grade <candidate> <bloc>. For double marking, add "double_marking: blind" to session.yaml before any grading.',
      ),
    );
  }
  const candidate = findCandidate(ctx, candidateId);
  const unit = findUnit(ctx, candidate, unitId);
  juryOf(ctx, unit);
  const signers = options.finalize ? checkSigners(ctx, unit, (options.by ?? '').split(',')) : [];
  const entries = await submittedEntries(ctx, candidate, unit);
  const diffs = describeDifferences(unit, entries);
  const decided = parseDecisions(ctx, unit, options, diffs);

  const handle = await EvaluationHandle.open(ctx, candidate, unit, 'certif reconcile', io.now());
  try {
    if (handle.isFinal) {
      throw new InputError(
        pick(
          lang,
          `L’évaluation ${candidate.id} ${unit.id} est déjà rapprochée et finalisée.`,
          `Evaluation ${candidate.id} ${unit.id} is already reconciled and final.`,
        ),
        pick(
          lang,
          `Pour corriger : certif amend ${candidate.id} ${unit.id} --set C1=acquis --reason "…" --by <juré>.`,
          `To correct it: certif amend ${candidate.id} ${unit.id} --set C1=acquis --reason "…" --by <juror>.`,
        ),
      );
    }
    const bindings: EntryBinding[] = [...entries].map(([juror, e]) => ({
      juror,
      hash: e.hash ?? '',
    }));
    let decisions = decided;
    if (decisions === undefined && diffs.length > 0) {
      // The draft already reconciled from these very entries: finalising it needs no new decision.
      const current = handle.value;
      const same =
        current.entries !== undefined &&
        JSON.stringify(current.entries.map((b) => [b.juror, b.hash]).sort()) ===
          JSON.stringify(bindings.map((b) => [b.juror, b.hash]).sort());
      if (options.finalize && same) {
        await assertReconciled(ctx, candidate, unit);
        await handle.finalize(signers, io.now());
        if (handle.rereadNotice) io.stderr.write(`⟳ ${handle.rereadNotice}\n`);
        io.stderr.write(
          doneText(ctx, candidate, unit, handle, current.reconciliation?.length ?? 0),
        );
        return 0;
      }
      if (!(io.stdinIsTTY && io.stdoutIsTTY)) {
        io.stdout.write(listText(candidate, unit, diffs, lang));
        io.stderr.write(
          pick(
            lang,
            `→ Enregistrez la décision commune pour chacune : certif reconcile ${candidate.id} ${unit.id} ${exampleFlags(diffs)}\n`,
            `→ Record the joint decision for each: certif reconcile ${candidate.id} ${unit.id} ${exampleFlags(diffs)}\n`,
          ),
        );
        return options.finalize ? 1 : 0;
      }
      const { interactiveDecisions } = await import('./reconcile-tui.js');
      const asked = await interactiveDecisions(ctx, candidate, unit, diffs, io);
      if (asked === 'quit') return 0;
      if (asked === 'interrupted') return 130;
      decisions = asked;
    }
    const at = io.now().toISOString();
    const reconciliation: Reconciled[] = diffs.map((d) => {
      const choice = decisions?.get(d.competency);
      if (!choice) throw new Error(`no decision for ${d.competency}`);
      return {
        competency: d.competency,
        entries: d.entries,
        decision: choice.decision,
        reason: choice.reason,
        at,
      };
    });
    const replaced = replacedText(unit, handle.value.reconciliation ?? [], reconciliation, lang);
    if (replaced) {
      io.stderr.write(replaced);
      if (io.stdinIsTTY && io.stdoutIsTTY) {
        const { confirm } = await import('./reconcile-tui.js');
        const yes = await confirm(
          io,
          pick(lang, 'Remplacer ces décisions ? o/N ', 'Replace these decisions? y/N '),
        );
        if (!yes) {
          io.stderr.write(
            pick(
              lang,
              'Rien n’a été remplacé : le rapprochement précédent est conservé.\n',
              'Nothing was replaced: the earlier reconciliation is kept.\n',
            ),
          );
          return 0;
        }
      }
    }
    await handle.reconcile(
      jointResults(unit, entries, reconciliation),
      reconciliation,
      bindings,
      options.finalize ? { by: signers, at: io.now() } : undefined,
    );
    if (handle.rereadNotice) io.stderr.write(`⟳ ${handle.rereadNotice}\n`);
    io.stderr.write(doneText(ctx, candidate, unit, handle, reconciliation.length));
    return 0;
  } finally {
    await handle.close();
  }
}

function doneText(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
  handle: EvaluationHandle,
  decided: number,
): string {
  const { lang } = ctx;
  const total = competenciesOf(unit).length;
  const path = displayPath(handle.file, ctx.cwd);
  const jury = juryOf(ctx, unit).join(',');
  return handle.isFinal
    ? pick(
        lang,
        `✔ Évaluation commune ${candidate.id} ${unit.id} rapprochée et finalisée : ${decided} décision(s) du jury, ${total - decided} concordance(s) reprise(s)\n  ${path}\n`,
        `✔ Joint evaluation ${candidate.id} ${unit.id} reconciled and final: ${decided} jury decision(s), ${total - decided} agreement(s) carried over\n  ${path}\n`,
      )
    : pick(
        lang,
        `✔ Rapprochement enregistré — ${candidate.id} ${unit.id} : ${decided} décision(s) du jury, ${total - decided} concordance(s) reprise(s) · brouillon\n  ${path}\n  → Pour finaliser : certif grade ${candidate.id} ${unit.id} --finalize --by ${jury}\n`,
        `✔ Reconciliation recorded — ${candidate.id} ${unit.id}: ${decided} jury decision(s), ${total - decided} agreement(s) carried over · draft\n  ${path}\n  → To finalise: certif grade ${candidate.id} ${unit.id} --finalize --by ${jury}\n`,
      );
}

/**
 * The earlier joint decisions a new reconciliation changes (verdict or reason), old → new, for
 * stderr; empty when nothing earlier is changed. A reconciliation is the jury's record: it is
 * never replaced silently.
 */
export function replacedText(
  unit: GradedUnit,
  before: readonly Reconciled[],
  after: readonly Reconciled[],
  lang: Lang,
): string {
  const lines: string[] = [];
  for (const old of before) {
    const now = after.find((r) => r.competency === old.competency);
    if (now && now.decision === old.decision && now.reason === old.reason) continue;
    const was = `${verdictText(old.decision, lang)} (« ${old.reason} »)`;
    const is = now
      ? `${verdictText(now.decision, lang)} (« ${now.reason} »)`
      : pick(lang, 'plus de décision', 'no decision any more');
    lines.push(`  ${unit.id}.${old.competency} : ${was} → ${is}`);
  }
  if (lines.length === 0) return '';
  const when = formatDate(before[0]?.at.slice(0, 10), lang);
  return (
    pick(
      lang,
      `Ce rapprochement remplace ${lines.length} décision(s) du jury enregistrée(s) le ${when} :\n`,
      `This reconciliation replaces ${lines.length} jury decision(s) recorded on ${when}:\n`,
    ) +
    lines.join('\n') +
    '\n'
  );
}

/** Every juror's entry, each submitted and sound; otherwise a refusal naming who is pending. */
async function submittedEntries(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
): Promise<Map<string, Entry>> {
  const { lang } = ctx;
  const read = await readEntries(ctx, candidate, unit);
  const invalid = read.filter((e) => e.state === 'invalid');
  if (invalid.length > 0) {
    throw new InvalidFilesError(
      pick(
        lang,
        `saisie(s) invalide(s), rien n’est rapproché : ${invalid.map((e) => displayPath(e.file, ctx.cwd)).join(', ')}`,
        `invalid entr(ies), nothing is reconciled: ${invalid.map((e) => displayPath(e.file, ctx.cwd)).join(', ')}`,
      ),
      invalid.flatMap((e) => [...e.diagnostics]),
    );
  }
  if (read.some((e) => e.state !== 'submitted')) {
    throw new InputError(
      pick(
        lang,
        `Rapprochement impossible avant que les deux jurés aient soumis leur saisie (${progressText(read, lang)}).`,
        `Cannot reconcile before both jurors have submitted their entry (${progressText(read, lang)}).`,
      ),
      pick(
        lang,
        `Chaque juré soumet la sienne : certif grade ${candidate.id} ${unit.id} --juror <juré> --submit.`,
        `Each juror submits theirs: certif grade ${candidate.id} ${unit.id} --juror <juror> --submit.`,
      ),
    );
  }
  const out = new Map<string, Entry>();
  for (const e of read) if (e.value) out.set(e.juror, e.value);
  return out;
}

function describeDifferences(unit: GradedUnit, entries: ReadonlyMap<string, Entry>): Difference[] {
  const comps = competenciesOf(unit);
  return differences(
    comps.map((c) => c.id),
    entries,
  ).map((d) => {
    const observations: Record<string, string> = {};
    for (const juror of Object.keys(d.entries)) {
      const v = entries.get(juror)?.results[d.competency];
      const obs = v === undefined ? undefined : toResult(v).observation;
      if (obs) observations[juror] = obs;
    }
    return {
      competency: d.competency,
      label: comps.find((c) => c.id === d.competency)?.label ?? '',
      entries: d.entries,
      observations,
    };
  });
}

/** The differing competencies with both jurors' verdicts and observations, for stdout. */
export function listText(
  candidate: Candidate,
  unit: GradedUnit,
  diffs: readonly Difference[],
  lang: Lang,
): string {
  if (diffs.length === 0) {
    return pick(
      lang,
      `${candidate.id} ${unit.id} : les saisies des jurés concordent sur toutes les compétences.\n`,
      `${candidate.id} ${unit.id}: the jurors’ entries agree on every competency.\n`,
    );
  }
  const lines = [
    pick(
      lang,
      `${candidate.id} ${unit.id} — ${diffs.length} compétence(s) où les saisies diffèrent :`,
      `${candidate.id} ${unit.id} — ${diffs.length} competenc(ies) where the entries differ:`,
    ),
  ];
  for (const d of diffs) {
    lines.push('', `${unit.id}.${d.competency} — ${d.label}`);
    for (const [juror, v] of Object.entries(d.entries)) {
      const obs = d.observations[juror];
      lines.push(`  ${juror} : ${verdictText(v, lang)}${obs ? ` — « ${obs} »` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

function exampleFlags(diffs: readonly Difference[]): string {
  return diffs
    .map((d) => `--decision ${d.competency}=acquis|non_acquis --reason ${d.competency}="…"`)
    .join(' ');
}

/** A joint decision with its reason. */
export interface Decision {
  readonly decision: Verdict;
  readonly reason: string;
}

/**
 * `--decision C=verdict` and `--reason C=text`: one each for every differing competency, none for
 * another. Undefined when none is given.
 */
function parseDecisions(
  ctx: SessionContext,
  unit: GradedUnit,
  options: ReconcileOptions,
  diffs: readonly Difference[],
): Map<string, Decision> | undefined {
  const { lang } = ctx;
  if (options.decision.length === 0 && options.reason.length === 0) {
    if (diffs.length === 0) return new Map();
    return undefined;
  }
  const split = (text: string, flag: string): [string, string] => {
    const eq = text.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(
        pick(
          lang,
          `${flag} attend C=valeur, pas « ${text} ».`,
          `${flag} expects C=value, not "${text}".`,
        ),
        pick(lang, `Exemple : ${flag} C4=acquis`, `Example: ${flag} C4=acquis`),
      );
    }
    return [competencyId(unit, text.slice(0, eq), lang), text.slice(eq + 1).trim()];
  };
  const differing = new Set(diffs.map((d) => d.competency));
  const notDiffering = (id: string) =>
    new InputError(
      pick(
        lang,
        `Les saisies des jurés concordent sur ${unit.id}.${id} : il n’y a pas de décision à y prendre.`,
        `The jurors’ entries agree on ${unit.id}.${id}: there is no decision to take on it.`,
      ),
      pick(
        lang,
        `Compétences à rapprocher : ${[...differing].join(', ') || '—'}.`,
        `Competencies to reconcile: ${[...differing].join(', ') || '—'}.`,
      ),
    );
  const verdicts = new Map<string, Verdict>();
  for (const text of options.decision) {
    const [id, value] = split(text, '--decision');
    if (!differing.has(id)) throw notDiffering(id);
    const v = parseVerdict(value);
    if (!v) {
      throw new InputError(
        pick(
          lang,
          `Décision « ${value} » invalide pour ${id} : acquis ou non_acquis.`,
          `Invalid decision "${value}" for ${id}: acquis or non_acquis.`,
        ),
      );
    }
    verdicts.set(id, v);
  }
  const reasons = new Map<string, string>();
  for (const text of options.reason) {
    const [id, value] = split(text, '--reason');
    if (!differing.has(id)) throw notDiffering(id);
    if (value) reasons.set(id, value);
  }
  const missing = diffs
    .map((d) => d.competency)
    .filter((id) => !verdicts.has(id) || !reasons.has(id));
  if (missing.length > 0) {
    throw new InputError(
      pick(
        lang,
        `Décision commune et motif requis pour chaque compétence où les saisies diffèrent ; manquent : ${missing.join(', ')}.`,
        `A joint decision and a reason are required for every competency where the entries differ; missing: ${missing.join(', ')}.`,
      ),
      pick(
        lang,
        `Ajoutez ${missing.map((id) => `--decision ${id}=… --reason ${id}="…"`).join(' ')} ; rien n’a été écrit.`,
        `Add ${missing.map((id) => `--decision ${id}=… --reason ${id}="…"`).join(' ')}; nothing was written.`,
      ),
    );
  }
  const out = new Map<string, Decision>();
  for (const [id, decision] of verdicts) out.set(id, { decision, reason: reasons.get(id) ?? '' });
  return out;
}

/**
 * The joint results: the decision where the entries differed (with the observation of a juror who
 * judged so), the common verdict elsewhere (with the jurors' distinct observations).
 */
function jointResults(
  unit: GradedUnit,
  entries: ReadonlyMap<string, Entry>,
  reconciliation: readonly Reconciled[],
): Record<string, Result> {
  const jurors = [...entries.keys()].sort();
  const out: Record<string, Result> = {};
  for (const { id } of competenciesOf(unit)) {
    const given = jurors.flatMap((j) => {
      const v = entries.get(j)?.results[id];
      return v === undefined ? [] : [toResult(v)];
    });
    const decided = reconciliation.find((r) => r.competency === id)?.decision;
    const verdict = decided ?? given[0]?.verdict;
    if (!verdict) continue;
    const observations = [
      ...new Set(
        given.filter((r) => r.verdict === verdict && r.observation).map((r) => r.observation),
      ),
    ];
    out[id] =
      observations.length > 0 ? { verdict, observation: observations.join(' / ') } : { verdict };
  }
  return out;
}

import type { Document } from 'yaml';
import type { Io } from '../cli/io.js';
import { isCalendarDate } from '../model/dates.js';
import { InputError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { evaluationsDigest, type UnitDecision } from '../model/deliberation.js';
import { contentHash } from '../model/hash.js';
import { fullName } from '../model/session.js';
import {
  assertOpen,
  deliberationPath,
  deliberationRows,
  newDeliberationDoc,
  lockDeliberation,
  staleDecisions,
  readDeliberation,
  writeDeliberation,
  type CandidateRow,
  type Deliberation,
  type UnitRow,
} from '../project/deliberation.js';
import { displayPath } from '../project/files.js';
import {
  findCandidate,
  findSessionDir,
  openSession,
  type SessionContext,
} from '../project/session.js';
import { labels } from '../render/labels.js';
import { decisionText, outcomeText } from '../render/view-models.js';
import { yamlLib } from '../source/yaml-lib.js';

/** Options of `certif deliberate`. */
export interface DeliberateOptions {
  readonly session?: string | undefined;
  readonly candidate?: string | undefined;
  readonly bloc?: string | undefined;
  readonly decision?: string | undefined;
  readonly reason?: string | undefined;
  readonly accept: boolean;
  readonly close: boolean;
  readonly members?: string | undefined;
  readonly date?: string | undefined;
  readonly place?: string | undefined;
  readonly format: 'text' | 'json';
  readonly lang: Lang;
}

const DECISIONS: Record<string, UnitDecision> = {
  valide: 'valide',
  validé: 'valide',
  valid: 'valide',
  non_valide: 'non_valide',
  non_validé: 'non_valide',
  'non-valide': 'non_valide',
  absent: 'absent',
};

/** The words of a decision (or of a draft that prevents one). */
export function decisionWords(d: string | undefined, lang: Lang): string {
  return d === 'pending' ? labels(lang).pendingDraft : decisionText(d, labels(lang));
}

/** Why a unit waits: a draft evaluation, jurors' entries not yet reconciled, or a broken file. */
function unitWords(u: UnitRow, lang: Lang): string {
  return u.state?.state === 'invalid'
    ? labels(lang).evaluationInvalid
    : u.evidence.kind === 'entries'
      ? labels(lang).pendingEntries
      : decisionWords(u.proposal, lang);
}

/** Why a candidate's outcome waits (the first unit that keeps it waiting). */
function pendingWords(row: CandidateRow, lang: Lang): string {
  const first = row.units.find((u) => u.proposal === 'pending');
  return first ? unitWords(first, lang) : decisionWords('pending', lang);
}

/** Units that keep a candidate from any decision, with what to do about each. */
function pendingUnits(
  row: CandidateRow,
  lang: Lang,
  cwd: string,
): { units: string[]; hint: string } {
  const waiting = row.units.filter((u) => u.proposal === 'pending');
  const id = row.candidate.id;
  // A broken file is named first: finalising or reconciling cannot help it.
  const first = waiting.find((u) => u.state?.state === 'invalid') ?? waiting[0];
  const hint =
    first?.state?.state === 'invalid'
      ? pick(
          lang,
          `Lancez certif validate : ${displayPath(first.state.file, cwd)} a été modifiée à la main ou est illisible ; restaurez-la (git), puis corrigez-la s’il le faut avec certif amend.`,
          `Run certif validate: ${displayPath(first.state.file, cwd)} was edited by hand or is unreadable; restore it (git), then correct it if need be with certif amend.`,
        )
      : first?.evidence.kind === 'entries'
        ? pick(
            lang,
            `Faites rapprocher les saisies des jurés : certif reconcile ${id} ${first.unit} puis --finalize --by <juré>,<juré>.`,
            `Have the jurors' entries reconciled: certif reconcile ${id} ${first.unit} then --finalize --by <juror>,<juror>.`,
          )
        : pick(
            lang,
            `Finalisez-la d’abord : certif grade ${id} ${first?.unit ?? ''} --finalize --by <juré>,<juré>.`,
            `Finalise it first: certif grade ${id} ${first?.unit ?? ''} --finalize --by <juror>,<juror>.`,
          );
  return {
    units: waiting.map((u) => `${u.unit}${pick(lang, ' : ', ': ')}${unitWords(u, lang)}`),
    hint,
  };
}

/** The outcome in words. */
export function outcomeWords(o: string | undefined, lang: Lang): string {
  return outcomeText(o, labels(lang));
}

function candidateEntry(doc: Document, id: string): void {
  if (!doc.hasIn(['candidates', id])) doc.setIn(['candidates', id], doc.createNode({ blocs: {} }));
  const candidates = doc.get('candidates', true);
  if (yamlLib().isMap(candidates)) candidates.flow = false;
}

function setOutcome(doc: Document, row: CandidateRow | undefined): void {
  if (!row?.outcome) return;
  doc.setIn(['candidates', row.candidate.id, 'outcome'], row.outcome.outcome);
  doc.setIn(
    ['candidates', row.candidate.id, 'validated'],
    doc.createNode(row.outcome.validated, { flow: true }),
  );
}

function evaluationHashOf(row: CandidateRow, unit: string): string | undefined {
  return row.units.find((u) => u.unit === unit)?.state?.evaluation?.hash;
}

/** `certif deliberate`: proposals, the jury's decisions, and closing. */
export async function deliberateCommand(options: DeliberateOptions, io: Io): Promise<number> {
  const { lang } = options;
  const dir = await findSessionDir(options.session, io.cwd, lang);
  const ctx = await openSession(dir, io.cwd, lang);
  const recording =
    options.candidate !== undefined || options.decision !== undefined || options.bloc !== undefined;
  if ((recording ? 1 : 0) + (options.accept ? 1 : 0) + (options.close ? 1 : 0) > 1) {
    throw new UsageError(
      pick(
        lang,
        'Une seule action à la fois : --candidate/--bloc/--decision, --accept ou --close.',
        'One action at a time: --candidate/--bloc/--decision, --accept or --close.',
      ),
    );
  }
  // A change reads the file fresh under its lock and writes it before releasing it.
  const lock =
    recording || options.accept || options.close
      ? await lockDeliberation(ctx, io.now())
      : undefined;
  try {
    await act(ctx, options, recording, io);
  } finally {
    await lock?.release();
  }
  const rows = await deliberationRows(ctx, (await readDeliberation(ctx))?.value);
  print(ctx, rows, options.format, io);
  return 0;
}

async function act(
  ctx: SessionContext,
  options: DeliberateOptions,
  recording: boolean,
  io: Io,
): Promise<void> {
  const { lang } = ctx;
  const existing = await readDeliberation(ctx);
  if (recording || options.accept || options.close) assertOpen(ctx, existing?.value);
  const doc = existing?.doc ?? newDeliberationDoc(ctx);
  if (recording) {
    await recordOne(ctx, doc, options, io);
  } else if (options.accept) {
    const rows = await deliberationRows(ctx, existing?.value);
    let count = 0;
    const review: string[] = [];
    let example: string | undefined;
    for (const row of rows) {
      if (row.pending) continue;
      for (const u of row.units) {
        // A decision taken on an evaluation that changed since is the jury's to take again.
        if (u.stale) {
          review.push(`${row.candidate.id} ${u.unit}`);
          example ??= `--candidate ${row.candidate.id} --bloc ${u.unit} --decision ${u.proposal}`;
          continue;
        }
        if (
          u.decision ||
          u.proposal === 'none' ||
          u.proposal === 'pending' ||
          u.proposal === 'acquis_anterieurement'
        )
          continue;
        candidateEntry(doc, row.candidate.id);
        const hash = evaluationHashOf(row, u.unit);
        doc.setIn(
          ['candidates', row.candidate.id, 'blocs', u.unit],
          doc.createNode({
            proposal: u.proposal,
            decision: u.proposal,
            ...(hash ? { evaluation_hash: hash } : {}),
          }),
        );
        count += 1;
      }
    }
    const after = await deliberationRows(ctx, doc.toJS() as Deliberation);
    for (const row of after) setOutcome(doc, row);
    await writeDeliberation(ctx, doc);
    const skipped = rows.filter((r) => r.pending).map((r) => r.candidate.id);
    io.stderr.write(
      pick(
        lang,
        `✔ ${count} proposition(s) retenue(s)${skipped.length ? ` ; en attente (brouillon ou rapprochement) : ${skipped.join(', ')}` : ''}\n`,
        `✔ ${count} proposal(s) accepted${skipped.length ? `; waiting (draft or reconciliation): ${skipped.join(', ')}` : ''}\n`,
      ),
    );
    if (review.length > 0) {
      io.stderr.write(
        pick(
          lang,
          `⚠ Décision(s) à revoir, non retenue(s) : ${review.join(', ')} — l’évaluation a changé depuis la décision ; le jury la reprend, ex. certif deliberate ${example ?? ''}\n`,
          `⚠ Decision(s) to review, not accepted: ${review.join(', ')} — the evaluation changed since the decision; the jury takes it again, e.g. certif deliberate ${example ?? ''}\n`,
        ),
      );
    }
  } else if (options.close) {
    await close(ctx, doc, options, io);
  }
}

async function recordOne(
  ctx: SessionContext,
  doc: Document,
  options: DeliberateOptions,
  io: Io,
): Promise<void> {
  const { lang } = ctx;
  if (!options.candidate || !options.bloc || !options.decision) {
    throw new UsageError(
      pick(
        lang,
        'Il faut --candidate, --bloc et --decision ensemble.',
        '--candidate, --bloc and --decision go together.',
      ),
      pick(
        lang,
        'Exemple : certif deliberate --candidate c001 --bloc BC01 --decision valide',
        'Example: certif deliberate --candidate c001 --bloc BC01 --decision valide',
      ),
    );
  }
  const key = options.decision.toLowerCase();
  const decision = Object.hasOwn(DECISIONS, key) ? DECISIONS[key] : undefined;
  if (!decision) {
    throw new UsageError(
      pick(
        lang,
        `Décision inconnue : ${options.decision}`,
        `Unknown decision: ${options.decision}`,
      ),
      pick(
        lang,
        'Décisions : valide, non_valide, absent.',
        'Decisions: valide, non_valide, absent.',
      ),
    );
  }
  const candidate = findCandidate(ctx, options.candidate);
  const rows = await deliberationRows(ctx, doc.toJS() as Deliberation);
  const row = rows.find((r) => r.candidate.id === candidate.id);
  const unit = row?.units.find((u) => u.unit.toLowerCase() === (options.bloc ?? '').toLowerCase());
  if (!row || !unit || unit.proposal === 'none' || unit.proposal === 'acquis_anterieurement') {
    throw new UsageError(
      pick(
        lang,
        `${candidate.id} ne présente pas ${options.bloc} à cette session.`,
        `${candidate.id} does not attempt ${options.bloc} in this session.`,
      ),
      pick(
        lang,
        `Blocs présentés : ${candidate.blocs.join(', ')}.`,
        `Blocs attempted: ${candidate.blocs.join(', ')}.`,
      ),
    );
  }
  if (row.pending) {
    const waiting = pendingUnits(row, lang, ctx.cwd);
    const broken = row.units
      .filter((u) => u.proposal === 'pending' && u.state?.state === 'invalid')
      .map((u) => u.unit);
    throw new InputError(
      broken.length > 0
        ? pick(
            lang,
            `${candidate.id} ${broken.join(', ')} : évaluation modifiée à la main ou illisible, aucune décision possible. Rien n’a été écrit.`,
            `${candidate.id} ${broken.join(', ')}: evaluation edited by hand or unreadable, no decision possible. Nothing was written.`,
          )
        : pick(
            lang,
            `${candidate.id} n’a pas encore d’évaluation finale (${waiting.units.join(' ; ')}) : aucune décision possible.`,
            `${candidate.id} has no final evaluation yet (${waiting.units.join('; ')}): no decision possible.`,
          ),
      waiting.hint,
    );
  }
  const reason = options.reason?.trim() ?? '';
  if (decision !== unit.proposal && reason === '') {
    throw new InputError(
      pick(
        lang,
        `La décision (${decisionWords(decision, lang)}) diffère de la proposition (${decisionWords(unit.proposal, lang)}) : un motif est obligatoire. Rien n’a été écrit.`,
        `The decision (${decisionWords(decision, lang)}) differs from the proposal (${decisionWords(unit.proposal, lang)}): a reason is required. Nothing was written.`,
      ),
      pick(lang, 'Ajoutez --reason "…".', 'Add --reason "…".'),
    );
  }
  candidateEntry(doc, candidate.id);
  const hash = evaluationHashOf(row, unit.unit);
  doc.setIn(
    ['candidates', candidate.id, 'blocs', unit.unit],
    doc.createNode({
      proposal: unit.proposal,
      decision,
      ...(reason ? { reason } : {}),
      ...(hash ? { evaluation_hash: hash } : {}),
    }),
  );
  const after = await deliberationRows(ctx, doc.toJS() as Deliberation);
  setOutcome(
    doc,
    after.find((r) => r.candidate.id === candidate.id),
  );
  await writeDeliberation(ctx, doc);
  io.stderr.write(
    pick(
      lang,
      `✔ ${candidate.id} ${unit.unit} : ${decisionWords(decision, lang)} — ${displayPath(deliberationPath(ctx), io.cwd)}\n`,
      `✔ ${candidate.id} ${unit.unit}: ${decisionWords(decision, lang)} — ${displayPath(deliberationPath(ctx), io.cwd)}\n`,
    ),
  );
}

async function close(
  ctx: SessionContext,
  doc: Document,
  options: DeliberateOptions,
  io: Io,
): Promise<void> {
  const { lang } = ctx;
  const members = (options.members ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (members.length === 0) {
    throw new UsageError(
      pick(
        lang,
        'La clôture demande les membres du jury de certification : --members "Nom Prénom, Nom Prénom".',
        'Closing needs the members of the certification jury: --members "Name, Name".',
      ),
    );
  }
  const place = options.place?.trim() || ctx.session.centre?.city || ctx.session.centre?.name || '';
  if (place === '')
    throw new UsageError(
      pick(
        lang,
        'La clôture demande le lieu : --place "Rouen".',
        'Closing needs the place: --place "Rouen".',
      ),
    );
  const date = options.date ?? io.now().toISOString().slice(0, 10);
  if (!isCalendarDate(date))
    throw new UsageError(
      pick(lang, `Date invalide : ${date} (AAAA-MM-JJ).`, `Invalid date: ${date} (YYYY-MM-DD).`),
    );
  const start = ctx.session.dates?.start;
  if (start && date < start)
    throw new UsageError(
      pick(
        lang,
        `La délibération (${date}) ne peut précéder la session (${start}).`,
        `The deliberation (${date}) cannot come before the session (${start}).`,
      ),
    );
  const rows = await deliberationRows(ctx, doc.toJS() as Deliberation);
  // A candidate who sat (draft, jurors' entries) is never sealed on the PV without a final evaluation.
  const waiting = rows.filter((r) => r.pending);
  if (waiting.length > 0) {
    throw new InputError(
      pick(
        lang,
        `Clôture impossible : pas encore d’évaluation finale pour ${waiting.map((r) => `${r.candidate.id} (${pendingUnits(r, lang, ctx.cwd).units.join(' ; ')})`).join(', ')}.`,
        `Cannot close: no final evaluation yet for ${waiting.map((r) => `${r.candidate.id} (${pendingUnits(r, lang, ctx.cwd).units.join('; ')})`).join(', ')}.`,
      ),
      (waiting[0] ? pendingUnits(waiting[0], lang, ctx.cwd).hint : '') +
        pick(lang, ' Rien n’a été écrit.', ' Nothing was written.'),
    );
  }
  const stale = staleDecisions(rows);
  if (stale.length > 0) {
    throw new InputError(
      pick(
        lang,
        `Des évaluations ont changé depuis la décision : ${stale.join(', ')}.`,
        `Evaluations changed since the decision: ${stale.join(', ')}.`,
      ),
      pick(
        lang,
        'Revoyez ces décisions (certif deliberate --candidate … --bloc … --decision …) avant de clore.',
        'Review those decisions (certif deliberate --candidate … --bloc … --decision …) before closing.',
      ),
    );
  }
  const open = rows.filter((r) => !r.decided).map((r) => r.candidate.id);
  if (open.length > 0) {
    throw new InputError(
      pick(
        lang,
        `Délibération incomplète : pas de décision pour ${open.join(', ')}.`,
        `Deliberation incomplete: no decision for ${open.join(', ')}.`,
      ),
      pick(
        lang,
        'Décidez chaque bloc (certif deliberate --accept pour retenir les propositions), puis clôturez.',
        'Decide every bloc (certif deliberate --accept keeps the proposals), then close.',
      ),
    );
  }
  const finals = rows.flatMap((r) =>
    r.units
      .filter((u) => u.state?.evaluation?.hash)
      .map((u) => ({ key: `${r.candidate.id}/${u.unit}`, hash: u.state?.evaluation?.hash ?? '' })),
  );
  doc.set(
    'closed',
    doc.createNode({
      date,
      place,
      members,
      digest: evaluationsDigest(finals),
      decisions_hash: contentHash((doc.toJS() as Deliberation).candidates),
      evaluations: finals.length,
      at: io.now().toISOString(),
    }),
  );
  await writeDeliberation(ctx, doc);
  io.stderr.write(
    pick(
      lang,
      `✔ Délibération close le ${date} à ${place} (${finals.length} évaluations finales)\n`,
      `✔ Deliberation closed on ${date} in ${place} (${finals.length} final evaluations)\n`,
    ),
  );
}

function print(
  ctx: SessionContext,
  rows: readonly CandidateRow[],
  format: 'text' | 'json',
  io: Io,
): void {
  const { lang } = ctx;
  if (format === 'json') {
    io.stdout.write(
      JSON.stringify(
        rows.map((r) => ({
          candidate: r.candidate.id,
          units: r.units
            .filter((u) => u.proposal !== 'none')
            .map((u) => ({
              unit: u.unit,
              proposal: u.proposal,
              decision: u.decision ?? null,
              reason: u.reason ?? null,
              ...(u.stale ? { stale: true } : {}),
            })),
          proposedOutcome: r.proposedOutcome?.outcome ?? null,
          outcome: r.outcome?.outcome ?? null,
          validated: r.outcome?.validated ?? r.proposedOutcome?.validated ?? [],
        })),
        null,
        2,
      ) + '\n',
    );
    return;
  }
  const lines: string[] = [];
  // ' : ' in French, ': ' in English.
  const c = labels(lang).colon;
  for (const r of rows) {
    lines.push(`${r.candidate.id}  ${fullName(r.candidate)}`);
    for (const u of r.units) {
      if (u.proposal === 'none') continue;
      const decided = u.decision
        ? ` → ${pick(lang, 'décision', 'decision')}${c}${decisionWords(u.decision, lang)}${u.reason ? ` (${u.reason})` : ''}`
        : u.stale && u.recorded && u.proposal !== 'pending'
          ? ` → ${pick(lang, 'décision', 'decision')}${c}${labels(lang).decisionStale} — ${pick(lang, 'était', 'was')}${c}${decisionWords(u.recorded.decision, lang)}`
          : '';
      lines.push(
        `  ${u.unit.padEnd(6)} ${pick(lang, 'proposition', 'proposal')}${c}${unitWords(u, lang)}${decided}`,
      );
    }
    const outcome = r.outcome ?? r.proposedOutcome;
    lines.push(
      `  ${pick(lang, 'Résultat', 'Outcome')}${c}${r.pending ? pendingWords(r, lang) : `${outcomeWords(outcome?.outcome, lang)}${r.outcome ? '' : pick(lang, ' (proposé)', ' (proposed)')}${outcome?.validated.length ? ` — ${outcome.validated.join(', ')}` : ''}`}`,
    );
  }
  io.stdout.write(lines.join('\n') + '\n');
}

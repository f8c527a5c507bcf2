import type { Lang } from '../diagnostics/diagnostic.js';
import type { Proposal } from '../model/decide.js';
import {
  fullName,
  resultObservation,
  resultVerdict,
  toResult,
  type Candidate,
  type Evaluation,
} from '../model/session.js';
import { competenciesOf, type GradedUnit } from '../model/types.js';
import type { CandidateRow, Deliberation } from '../project/deliberation.js';
import type { SessionContext } from '../project/session.js';
import type { Labels } from './labels.js';

const MONTHS: Readonly<Record<Lang, readonly string[]>> = {
  fr: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

const formatted = new Map<string, string>();

/**
 * "12 juin 2026" / "12 June 2026" from YYYY-MM-DD (or an ISO timestamp, shown as its UTC day):
 * what `Intl.DateTimeFormat` gives for fr-FR and en-GB (tested on every day of several years),
 * without building one, which costs about 17 ms the first time (ICU's locale data). Text that is
 * not a date is returned as written.
 */
export function formatDate(iso: string | undefined, lang: Lang): string {
  if (!iso) return '';
  // A thousand sheets share a handful of dates and timestamps: each is read once.
  const key = `${lang}|${iso}`;
  let text = formatted.get(key);
  if (text === undefined) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T12:00:00Z` : iso);
    text = Number.isNaN(d.getTime())
      ? iso
      : `${d.getUTCDate()} ${MONTHS[lang][d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    if (formatted.size < 10_000) formatted.set(key, text);
  }
  return text;
}

/** Header facts shared by documents of a session. */
export function sessionFacts(ctx: SessionContext, lang: Lang) {
  const s = ctx.session;
  const centre = s.centre ? [s.centre.name, s.centre.city].filter(Boolean).join(', ') : '';
  const dates = s.dates
    ? s.dates.end && s.dates.end !== s.dates.start
      ? `${formatDate(s.dates.start, lang)} – ${formatDate(s.dates.end, lang)}`
      : formatDate(s.dates.start, lang)
    : '';
  return {
    title: ctx.ref.title,
    rncp: ctx.ref.rncp ?? '',
    referential: `${ctx.ref.id} ${ctx.ref.version}`,
    referentialHash: s.referential.hash,
    session: s.title ? `${s.title} (${s.id})` : s.id,
    centre,
    dates,
  };
}

/** The jurors of a unit, with their independence. */
export function juryFacts(ctx: SessionContext, unit: GradedUnit, t: Labels) {
  return (ctx.session.juries[unit.id] ?? []).map((id) => {
    const j = ctx.session.jurors.find((x) => x.id === id);
    return {
      id,
      name: j?.name ?? id,
      organisation: j?.organisation ?? '',
      independence: j?.independent ? t.independent : t.notIndependent,
    };
  });
}

function ruleText(unit: GradedUnit, lang: Lang): string {
  const v = unit.validation;
  const required = v.required?.length
    ? lang === 'en'
      ? `; always required: ${v.required.join(', ')}`
      : ` ; toujours exigées : ${v.required.join(', ')}`
    : '';
  switch (v.rule) {
    case 'all':
      return (
        (lang === 'en' ? 'every competency acquired' : 'toutes les compétences acquises') + required
      );
    case 'min_count':
      return (
        (lang === 'en'
          ? `at least ${v.min_count ?? 0} competencies acquired`
          : `au moins ${v.min_count ?? 0} compétences acquises`) + required
      );
    case 'min_ratio':
      return (
        (lang === 'en'
          ? `at least ${Math.round((v.min_ratio ?? 1) * 100)}% of competencies acquired`
          : `au moins ${Math.round((v.min_ratio ?? 1) * 100)} % des compétences acquises`) +
        required
      );
  }
}

/** The proposal in the document's words. */
export function proposalWords(p: Proposal | undefined, t: Labels): string {
  if (!p) return t.statusMissing;
  return p.decision === 'valide'
    ? t.proposalValide
    : p.decision === 'non_valide'
      ? t.proposalNonValide
      : t.proposalIncomplet;
}

/** View model of the grille d'évaluation: blank, or for a candidate (pre-filled when graded). */
export function gridModel(
  ctx: SessionContext,
  unit: GradedUnit,
  candidate: Candidate | undefined,
  evaluation: Evaluation | undefined,
  t: Labels,
) {
  const { lang } = ctx;
  const results = evaluation?.results ?? {};
  const anyThreshold = competenciesOf(unit).some((c) => c.threshold);
  const ref = ctx.ref;
  const bloc = ref.blocs.find((b) => b.id === unit.id);
  return {
    ...sessionFacts(ctx, lang),
    unit: { id: unit.id, code: unit.code ?? '', title: unit.title, isFinal: unit.kind === 'final' },
    candidate: candidate
      ? {
          id: candidate.id,
          name: fullName(candidate),
          accommodations: candidate.accommodations ?? [],
        }
      : null,
    date: formatDate(evaluation?.date ?? ctx.session.dates?.start, lang),
    jurors: juryFacts(ctx, unit, t),
    showThreshold: anyThreshold,
    columns: anyThreshold ? 6 : 5,
    running: [
      candidate ? `${fullName(candidate)} (${candidate.id})` : t.blankGrid,
      unit.id,
      ctx.session.id,
    ]
      .filter(Boolean)
      .join(' — '),
    activities: unit.activities.map((a) => ({
      id: a.id,
      title: a.title,
      competencies: a.competencies.map((c) => {
        const raw = results[c.id];
        const r = raw === undefined ? undefined : toResult(raw);
        return {
          address: `${unit.id}.${c.id}`,
          label: c.label,
          threshold: c.threshold ?? '',
          acquis: r?.verdict === 'acquis',
          nonAcquis: r?.verdict === 'non_acquis',
          observation: r?.observation ?? '',
        };
      }),
    })),
    criteria: unit.criteria.map((c, i) => ({ n: i + 1, label: c.label })),
    modalities: (bloc?.evaluation.modalities ?? []).map((m) => ({
      title: m.title,
      description: m.description ?? '',
    })),
    rule: ruleText(unit, lang),
    status: evaluation ? (evaluation.status === 'final' ? t.statusFinal : t.statusDraft) : '',
    isDraft: evaluation?.status === 'draft',
  };
}

/** "12 acquises, 3 non acquises, 0 sans réponse / 15", with plurals. */
function countsText(acquired: number, notAcquired: number, total: number, lang: Lang): string {
  const unanswered = total - acquired - notAcquired;
  if (lang === 'en') {
    return `${acquired} acquired, ${notAcquired} not acquired${unanswered ? `, ${unanswered} unanswered` : ''} out of ${total}`;
  }
  const s = (n: number) => (n > 1 ? 's' : '');
  return `${acquired} acquise${s(acquired)}, ${notAcquired} non acquise${s(notAcquired)}${unanswered ? `, ${unanswered} sans réponse` : ''} sur ${total}`;
}

/** One bloc of the fiche « résultats à l'épreuve de synthèse ». */
export function sheetUnitModel(
  ctx: SessionContext,
  unit: GradedUnit,
  evaluation: Evaluation | undefined,
  proposal: Proposal | undefined,
  t: Labels,
) {
  const { lang } = ctx;
  const results = evaluation?.results ?? {};
  const ids = competenciesOf(unit);
  const rows = ids.map((c) => {
    const raw = results[c.id];
    const verdict = raw === undefined ? undefined : resultVerdict(raw);
    return {
      address: `${unit.id}.${c.id}`,
      label: c.label,
      verdict: verdict ? (verdict === 'acquis' ? t.acquis : t.nonAcquis) : t.unanswered,
      nonAcquis: verdict === 'non_acquis',
      observation: (raw === undefined ? undefined : resultObservation(raw)) ?? '',
    };
  });
  return {
    id: unit.id,
    code: unit.code ?? '',
    title: unit.title,
    isFinal: unit.kind === 'final',
    date: formatDate(evaluation?.date, lang),
    jurors: juryFacts(ctx, unit, t),
    rows,
    acquired: proposal?.acquired ?? 0,
    notAcquired: proposal?.notAcquired ?? 0,
    unanswered: ids.length - (proposal?.acquired ?? 0) - (proposal?.notAcquired ?? 0),
    total: ids.length,
    counts: countsText(proposal?.acquired ?? 0, proposal?.notAcquired ?? 0, ids.length, lang),
    rule: ruleText(unit, lang),
    proposal: proposalWords(proposal, t),
    proposalValide: proposal?.decision === 'valide',
    status: evaluation
      ? evaluation.status === 'final'
        ? t.statusFinal
        : t.statusDraft
      : t.statusMissing,
    isDraft: evaluation?.status === 'draft',
    finalizedBy: (evaluation?.finalized?.by ?? [])
      .map((id) => ctx.session.jurors.find((j) => j.id === id)?.name ?? id)
      .join(', '),
    finalizedAt: formatDate(evaluation?.finalized?.at, lang),
    hash: evaluation?.hash ?? '',
    amendments: (evaluation?.amendments ?? []).map((a) => ({
      competency: `${unit.id}.${a.competency}`,
      from:
        a.from === undefined ? '—' : toResult(a.from).verdict === 'acquis' ? t.acquis : t.nonAcquis,
      to: toResult(a.to).verdict === 'acquis' ? t.acquis : t.nonAcquis,
      by: ctx.session.jurors.find((j) => j.id === a.by)?.name ?? a.by,
      at: formatDate(a.at, lang),
      reason: a.reason,
    })),
  };
}

/** A decision's words, for documents and the terminal. */
export function decisionText(d: string | undefined, t: Labels): string {
  switch (d) {
    case 'valide':
      return t.valide;
    case 'non_valide':
      return t.nonValide;
    case 'absent':
      return t.absent;
    case 'acquis_anterieurement':
      return t.acquiredBefore;
    default:
      return t.notAttempted;
  }
}

/** An outcome's words, for documents and the terminal. */
export function outcomeText(o: string | undefined, t: Labels): string {
  return o === 'titre_obtenu'
    ? t.outcomeTitre
    : o === 'validation_partielle'
      ? t.outcomePartielle
      : o === 'non_valide'
        ? t.outcomeNonValide
        : o === 'absent'
          ? t.outcomeAbsent
          : '—';
}

/** View model of the procès-verbal. */
export function pvModel(
  ctx: SessionContext,
  rows: readonly CandidateRow[],
  closed: Deliberation['closed'],
  t: Labels,
) {
  const { lang } = ctx;
  const units = ctx.units.filter((u) =>
    rows.some((r) => r.units.some((x) => x.unit === u.id && x.proposal !== 'none')),
  );
  const counts = { titre_obtenu: 0, validation_partielle: 0, non_valide: 0, absent: 0 };
  let pending = 0;
  for (const r of rows) {
    if (r.outcome) counts[r.outcome.outcome] += 1;
    else pending += 1;
  }
  return {
    ...sessionFacts(ctx, lang),
    closed: Boolean(closed),
    date: formatDate(closed?.date, lang),
    place: closed?.place ?? '',
    members: closed?.members ?? [],
    digest: closed?.digest ?? '',
    evaluations: closed?.evaluations ?? 0,
    legal: ctx.ref.legal_basis ?? '',
    units: units.map((u) => ({ id: u.id, code: u.code ?? '', title: u.title })),
    rows: rows.map((r) => ({
      id: r.candidate.id,
      name: fullName(r.candidate),
      cells: units.map((u) => {
        const x = r.units.find((y) => y.unit === u.id);
        const decided =
          x?.decision ??
          (x?.proposal === 'acquis_anterieurement' ? 'acquis_anterieurement' : undefined);
        const undecided =
          x && !decided && x.proposal !== 'none'
            ? x.stale && x.proposal !== 'pending'
              ? t.decisionStale
              : x.proposal === 'pending'
                ? x.evidence.kind === 'entries'
                  ? t.pendingEntries
                  : t.pendingDraft
                : `${t.proposed} : ${decisionText(x.proposal, t)}`
            : undefined;
        return {
          text: undecided ?? decisionText(decided, t),
          valide: decided === 'valide' || decided === 'acquis_anterieurement',
          reason: x?.reason ?? '',
        };
      }),
      outcome: r.outcome ? outcomeText(r.outcome.outcome, t) : t.undecided,
      validated: (r.outcome?.validated ?? []).join(', '),
    })),
    totals: [
      { label: t.outcomeTitre, count: counts.titre_obtenu },
      { label: t.outcomePartielle, count: counts.validation_partielle },
      { label: t.outcomeNonValide, count: counts.non_valide },
      { label: t.outcomeAbsent, count: counts.absent },
      ...(pending > 0 ? [{ label: t.undecided, count: pending }] : []),
    ],
    total: rows.length,
  };
}

/** View model of a candidate's attestation: the blocs validated — never the accommodations. */
export function attestationModel(
  ctx: SessionContext,
  row: CandidateRow,
  closed: Deliberation['closed'],
  t: Labels,
) {
  const { lang } = ctx;
  const c = row.candidate;
  const validated = row.outcome?.validated ?? [];
  const facts = sessionFacts(ctx, lang);
  const fe = ctx.ref.final_evaluation;
  const feValidated =
    fe !== undefined && row.units.some((u) => u.unit === fe.id && u.decision === 'valide');
  const where = [
    closed?.place ? (lang === 'en' ? `meeting in ${closed.place}` : `réuni à ${closed.place}`) : '',
    closed?.date
      ? lang === 'en'
        ? `on ${formatDate(closed.date, lang)}`
        : `le ${formatDate(closed.date, lang)}`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  const blocs = validated.map((id) => {
    const b = ctx.ref.blocs.find((x) => x.id === id);
    const earlier = (c.acquired ?? []).find((a) => a.bloc === id);
    return {
      id,
      code: b?.code ?? '',
      title: b?.title ?? id,
      when: earlier
        ? `${formatDate(earlier.date, lang)} (${earlier.session})`
        : formatDate(closed?.date, lang),
    };
  });
  // A title that already says "Session …" is not given a second "session" before it.
  const named = /^session\b/i.test(facts.session);
  return {
    ...facts,
    intro:
      lang === 'en'
        ? `The certification jury of ${named ? '' : 'session '}${facts.session}${where ? `, ${where},` : ''} certifies that`
        : `Le jury de certification de la ${named ? `s${facts.session.slice(1)}` : `session ${facts.session}`}${where ? `, ${where},` : ''} atteste que`,
    candidate: { id: c.id, name: fullName(c) },
    outcome: outcomeText(row.outcome?.outcome, t),
    closed: Boolean(closed),
    hasCodes: blocs.some((b) => b.code !== ''),
    blocs,
    finalEvaluation: feValidated && fe ? `${fe.id} — ${fe.title}` : '',
  };
}

import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import type { Labels } from '../render/labels.js';
import { formatDate } from '../render/view-models.js';
import { LOW_KAPPA, MIN_JUDGEMENTS, type AgreementRow, type JurorPair } from './agreement.js';
import type {
  BlocFigures,
  CompetencyFigures,
  GroupFigures,
  Ratio,
  ReferentialFigures,
  SessionFigures,
  StatsFigures,
} from './figures.js';
import type { Strength } from './kappa.js';

/** "62 % (31/50)" / "62% (31/50)"; "— (0/0)" when nothing to count. */
export function percent(r: Ratio, lang: Lang): string {
  if (r.rate === null) return `— (${r.count}/${r.of})`;
  const p = Math.round(r.rate * 100);
  return `${p}${lang === 'en' ? '%' : '\u00a0%'} (${r.count}/${r.of})`;
}

/** A decimal in the language's way: 0,40 / 0.40. */
export function decimal(x: number, lang: Lang): string {
  const s = x.toFixed(2);
  return lang === 'en' ? s : s.replace('.', ',');
}

/** The definitions printed with the figures (also in the README). */
export function definitions(lang: Lang): string[] {
  return [
    pick(
      lang,
      'Taux de réussite (titre) = candidats ayant obtenu le titre / candidats présentés. Présentés = candidats dont le résultat est connu, absents exclus. Les absents et les candidats en attente (évaluation encore en brouillon) sont comptés à part.',
      'Success rate (title) = candidates who obtained the title / candidates who sat. Sat = candidates whose outcome is known, absents excluded. Absents and pending candidates (an evaluation still in draft) are counted apart.',
    ),
    pick(
      lang,
      'Taux de validation d’un bloc = blocs validés / blocs évalués (validés + non validés). Absents, blocs acquis antérieurement et décisions en attente exclus.',
      'Validation rate of a bloc = blocs validated / blocs assessed (validated + not validated). Absents, blocs acquired earlier and pending decisions excluded.',
    ),
    pick(
      lang,
      'Part de Non acquis d’une compétence = verdicts Non acquis / verdicts portés sur cette compétence, dans les évaluations finalisées seulement.',
      'Share Not acquired of a competency = Not acquired verdicts / verdicts given on it, in final evaluations only.',
    ),
    pick(
      lang,
      'Délibération non close : chiffres provisoires, tirés des décisions déjà prises et, à défaut, des propositions de certif. Un candidat présent à plusieurs sessions compte dans chacune. L’année est celle du premier jour de la session.',
      'Deliberation not closed: provisional figures, from the decisions taken so far and otherwise from certif’s proposals. A candidate in several sessions counts in each. The year is that of the session’s first day.',
    ),
    pick(
      lang,
      'Compétences les plus difficiles : part de Non acquis décroissante ; à égalité, nombre de Non acquis décroissant, puis ordre du référentiel.',
      'Hardest competencies: share Not acquired, highest first; on a tie, most Not acquired verdicts, then référentiel order.',
    ),
  ];
}

/** "10 juin 2025 – 12 juin 2026" for a list of sessions. */
export function period(sessions: readonly SessionFigures[], lang: Lang): string {
  const starts = sessions.map((s) => s.start).filter((d): d is string => Boolean(d));
  const ends = sessions.map((s) => s.end ?? s.start).filter((d): d is string => Boolean(d));
  if (starts.length === 0) return '—';
  const first = [...starts].sort()[0];
  const last = [...ends].sort().at(-1);
  return first === last
    ? formatDate(first, lang)
    : `${formatDate(first, lang)} – ${formatDate(last, lang)}`;
}

function groupRow(g: GroupFigures, lang: Lang) {
  return {
    candidates: g.candidates,
    titre: g.outcomes.titre_obtenu,
    partielle: g.outcomes.validation_partielle,
    nonValide: g.outcomes.non_valide,
    absent: g.outcomes.absent,
    pending: g.outcomes.pending,
    success: percent(g.success, lang),
  };
}

/** A bar of a chart: the geometry is decided here so templates hold no arithmetic. */
interface Bar {
  readonly label: string;
  readonly value: string;
  readonly y: number;
  readonly barY: number;
  readonly textY: number;
  readonly width: number;
  readonly valueX: number;
}

const CHART = { width: 700, labelRight: 236, barLeft: 244, barMax: 340, row: 24, bar: 14 };

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** A horizontal bar chart of shares (0–100 %), labelled with text and values. */
function barChart(
  kind: 'blocs' | 'hardest',
  id: string,
  title: string,
  items: readonly { label: string; ratio: Ratio }[],
  lang: Lang,
) {
  const bars: Bar[] = items.map((item, i) => {
    const width = Math.round((item.ratio.rate ?? 0) * CHART.barMax * 10) / 10;
    const y = 8 + i * CHART.row;
    return {
      label: shorten(item.label, 32),
      value: percent(item.ratio, lang),
      y,
      barY: y + (CHART.row - CHART.bar) / 2,
      textY: y + CHART.row / 2 + 4,
      width,
      valueX: CHART.barLeft + width + 6,
    };
  });
  const height = 16 + items.length * CHART.row;
  return {
    kind,
    id,
    title,
    desc: items.map((item) => `${item.label} : ${percent(item.ratio, lang)}`).join(' ; '),
    width: CHART.width,
    height,
    labelRight: CHART.labelRight,
    barLeft: CHART.barLeft,
    barMax: CHART.barMax,
    barHeight: CHART.bar,
    axisTop: 4,
    axisBottom: height - 4,
    bars,
  };
}

function blocLabel(b: BlocFigures): string {
  return `${b.id} — ${b.title}`;
}

function competencyRow(c: CompetencyFigures, lang: Lang) {
  return {
    address: `${c.unit}.${c.id}`,
    label: c.label,
    share: percent(c.nonAcquis, lang),
  };
}

function sessionStatus(s: SessionFigures, lang: Lang): string {
  return s.closed
    ? pick(
        lang,
        `close le ${formatDate(s.closedOn, lang)}`,
        `closed on ${formatDate(s.closedOn, lang)}`,
      )
    : pick(lang, 'non close : chiffres provisoires', 'not closed: provisional figures');
}

function referentialModel(r: ReferentialFigures, lang: Lang, t: Labels) {
  return {
    name: `${r.title} (${r.id} ${r.version})`,
    blocs: r.blocs.map((b) => ({
      id: b.id,
      title: b.title,
      valide: b.valide,
      nonValide: b.nonValide,
      absent: b.absent,
      pending: b.pending,
      assessed: b.valide + b.nonValide,
      success: percent(b.success, lang),
    })),
    hardest: r.hardest.map((c, i) => ({ rank: i + 1, ...competencyRow(c, lang) })),
    competencies: r.competencies.map((c) => competencyRow(c, lang)),
    blocChart: barChart(
      'blocs',
      `blocs-${r.id}`,
      t.statsChartBlocs,
      r.blocs.map((b) => ({ label: blocLabel(b), ratio: b.success })),
      lang,
    ),
    hardestChart:
      r.hardest.length > 0
        ? barChart(
            'hardest',
            `hardest-${r.id}`,
            t.statsChartHardest,
            r.hardest.map((c) => ({ label: `${c.unit}.${c.id} ${c.label}`, ratio: c.nonAcquis })),
            lang,
          )
        : false,
  };
}

/** The view model of the statistics document. */
export function statsModel(f: StatsFigures, lang: Lang, t: Labels) {
  const provisional = f.sessions.filter((s) => !s.closed).length;
  return {
    scope: pick(
      lang,
      `${f.sessions.length} session(s), ${period(f.sessions, lang)}${provisional ? ` — ${provisional} délibération(s) non close(s) : chiffres provisoires` : ''}`,
      `${f.sessions.length} session(s), ${period(f.sessions, lang)}${provisional ? ` — ${provisional} deliberation(s) not closed: provisional figures` : ''}`,
    ),
    definitions: definitions(lang),
    sessions: f.sessions.map((s) => ({
      id: s.id,
      dates: period([s], lang),
      status: sessionStatus(s, lang),
      provisional: !s.closed,
      ...groupRow(s, lang),
    })),
    years: f.years.map((y) => ({
      year: y.year,
      sessions: y.sessions.length,
      ...groupRow(y, lang),
    })),
    total: { sessions: f.sessions.length, ...groupRow(f.total, lang) },
    referentials: f.referentials.map((r) => referentialModel(r, lang, t)),
  };
}

/** The view model of the public page (Qualiopi): rates and counts, nothing personal. */
export function qualiopiModel(f: StatsFigures, lang: Lang, t: Labels) {
  return {
    many: f.referentials.length > 1,
    period: period(f.sessions, lang),
    sessions: f.sessions.length,
    registered: f.total.candidates,
    sat: f.total.sat,
    success: percent(f.total.success, lang),
    definitions: definitions(lang).slice(0, 2),
    referentials: f.referentials.map((r) => ({
      name: r.rncp ? `${r.title} · ${r.rncp}` : r.title,
      blocs: r.blocs.map((b) => ({
        id: b.id,
        title: b.title,
        assessed: b.valide + b.nonValide,
        success: percent(b.success, lang),
      })),
      blocChart: barChart(
        'blocs',
        `blocs-${r.id}`,
        t.statsChartBlocs,
        r.blocs.map((b) => ({ label: blocLabel(b), ratio: b.success })),
        lang,
      ),
    })),
  };
}

const strengthWords: Record<Strength, [string, string]> = {
  poor: ['désaccord', 'poor'],
  slight: ['accord très faible', 'slight'],
  fair: ['accord faible', 'fair'],
  moderate: ['accord modéré', 'moderate'],
  substantial: ['accord fort', 'substantial'],
  almost_perfect: ['accord presque parfait', 'almost perfect'],
};

function kappaText(r: AgreementRow, lang: Lang): { kappa: string; strength: string } {
  if (r.kappa !== undefined && r.strength) {
    const [fr, en] = strengthWords[r.strength];
    return { kappa: decimal(r.kappa, lang), strength: pick(lang, fr, en) };
  }
  return {
    kappa: pick(lang, 'non défini', 'undefined'),
    strength:
      r.undefinedBecause === 'single_value'
        ? pick(
            lang,
            'les deux jurés ont donné partout la même valeur unique : accord attendu par hasard = 1, κ = 0/0',
            'both jurors gave one and the same value every time: chance agreement = 1, κ = 0/0',
          )
        : pick(lang, 'aucun jugement doublé', 'no double-marked judgement'),
  };
}

/** Observed agreement from which a low kappa is explained as the "kappa paradox". */
export const HIGH_OBSERVED = 0.85;

/**
 * Why a low kappa sits next to a high observed agreement: with nearly all verdicts the same,
 * chance agreement is high and kappa swings on one or two verdicts. Empty when not the case.
 */
function paradox(r: AgreementRow, lang: Lang): string {
  if (!r.low || r.n === 0 || r.agreements / r.n < HIGH_OBSERVED) return '';
  return pick(
    lang,
    'Presque tous les verdicts sont identiques : l’accord attendu par hasard est élevé et κ devient instable (un ou deux verdicts le font varier fortement). Lire l’accord observé et les effectifs.',
    'Nearly all verdicts are the same: chance agreement is high and κ becomes unstable (one or two verdicts swing it). Read the observed agreement and the counts.',
  );
}

function agreementRowModel(r: AgreementRow, lang: Lang, label: string) {
  return {
    paradox: paradox(r, lang),
    address: r.unit && r.competency ? `${r.unit}.${r.competency}` : '',
    label,
    n: r.n,
    percent: percent({ count: r.agreements, of: r.n, rate: r.n ? r.agreements / r.n : null }, lang),
    ...kappaText(r, lang),
    low: r.low,
  };
}

/** The view model of the juror agreement document. */
export function agreementModel(
  pairs: readonly JurorPair[],
  lang: Lang,
  t: Labels,
  labelOf: (unit: string, competency: string) => string,
  nameOf: (juror: string) => string,
) {
  const flagged = pairs.flatMap((p) =>
    p.competencies
      .filter((c) => c.low)
      .map((c) => ({
        pair: `${nameOf(p.a)} / ${nameOf(p.b)}`,
        ...agreementRowModel(c, lang, labelOf(c.unit ?? '', c.competency ?? '')),
      })),
  );
  return {
    rule: pick(
      lang,
      `Accord faible : κ inférieur à ${decimal(LOW_KAPPA, lang)} (accord « faible » ou moindre selon Landis et Koch, 1977) sur au moins ${MIN_JUDGEMENTS} jugements doublés. κ = (po − pe) / (1 − pe), po = accord observé, pe = accord attendu par hasard ; κ n’est pas défini quand pe = 1.`,
      `Low agreement: κ below ${decimal(LOW_KAPPA, lang)} ("fair" or below in Landis and Koch, 1977) over at least ${MIN_JUDGEMENTS} double-marked judgements. κ = (po − pe) / (1 − pe), po = observed agreement, pe = agreement expected by chance; κ is undefined when pe = 1.`,
    ),
    empty: pairs.length === 0,
    flagged,
    pairs: pairs.map((p) => ({
      names: `${nameOf(p.a)} (${p.a}) / ${nameOf(p.b)} (${p.b})`,
      // Blindness: a pair with an entry still in draft shows only that it waits, never values.
      pending: p.pending
        ? pick(
            lang,
            `En attente : ${p.pending} candidat(s) × bloc dont une saisie n’est pas encore soumise. Rien n’en est montré ni compté avant que les deux jurés aient soumis.`,
            `Pending: ${p.pending} candidate(s) × bloc with an entry not yet submitted. Nothing of it is shown or counted until both jurors have submitted.`,
          )
        : '',
      overall: agreementRowModel(p.overall, lang, t.agreementOverall),
      rows: p.competencies.map((c) =>
        agreementRowModel(c, lang, labelOf(c.unit ?? '', c.competency ?? '')),
      ),
    })),
  };
}

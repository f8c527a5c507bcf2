import { outcomeOf, type Outcome, type UnitDecision } from '../model/deliberation.js';
import { verdicts } from '../model/session.js';
import { competenciesOf, type GradedUnit, type Referential } from '../model/types.js';
import type { CandidateRow } from '../project/deliberation.js';

/** A share with its counts: `count` out of `of`; `rate` is null when `of` is 0. */
export interface Ratio {
  readonly count: number;
  readonly of: number;
  readonly rate: number | null;
}

/** A ratio, rounded to 4 decimals so JSON output is stable across platforms. */
export function ratio(count: number, of: number): Ratio {
  return { count, of, rate: of === 0 ? null : Math.round((count / of) * 10_000) / 10_000 };
}

/** Outcomes counted, plus candidates whose outcome is not known yet (a draft evaluation). */
export type OutcomeCounts = Record<Outcome | 'pending', number>;

/** What one session brings to the statistics. */
export interface SessionInput {
  readonly id: string;
  readonly title?: string | undefined;
  readonly start?: string | undefined;
  readonly end?: string | undefined;
  readonly ref: Referential;
  readonly units: readonly GradedUnit[];
  readonly rows: readonly CandidateRow[];
  /** Date of the closing of the deliberation; undefined while it is open. */
  readonly closedOn?: string | undefined;
}

/** Figures of a group of candidates (a session, a year, every session). */
export interface GroupFigures {
  readonly candidates: number;
  readonly outcomes: OutcomeCounts;
  /** Candidates who sat: outcome known and not absent. */
  readonly sat: number;
  /** titre obtenu / candidates who sat. */
  readonly success: Ratio;
}

/** A session's figures. */
export interface SessionFigures extends GroupFigures {
  readonly id: string;
  readonly title?: string;
  readonly start?: string;
  readonly end?: string;
  readonly year: string;
  readonly referential: string;
  readonly closed: boolean;
  readonly closedOn?: string;
}

/** A year's figures (the year of each session's first day). */
export interface YearFigures extends GroupFigures {
  readonly year: string;
  readonly sessions: readonly string[];
}

/** One bloc (or the final evaluation) over the sessions. */
export interface BlocFigures {
  readonly id: string;
  readonly code?: string;
  readonly title: string;
  readonly kind: 'bloc' | 'final';
  readonly valide: number;
  readonly nonValide: number;
  readonly absent: number;
  readonly pending: number;
  /** validé / (validé + non validé): absents and pending decisions counted apart. */
  readonly success: Ratio;
}

/** One competency over the final evaluations. */
export interface CompetencyFigures {
  readonly unit: string;
  readonly id: string;
  readonly label: string;
  /** Final evaluations holding a verdict on it, and how many say Non acquis. */
  readonly nonAcquis: Ratio;
}

/** Blocs and competencies of one référentiel. */
export interface ReferentialFigures {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly rncp?: string;
  readonly blocs: readonly BlocFigures[];
  readonly competencies: readonly CompetencyFigures[];
  /** The hardest competencies, at most {@link HARDEST}, hardest first. */
  readonly hardest: readonly CompetencyFigures[];
}

/** All the statistics of `certif stats`. */
export interface StatsFigures {
  readonly sessions: readonly SessionFigures[];
  readonly years: readonly YearFigures[];
  readonly total: GroupFigures;
  readonly referentials: readonly ReferentialFigures[];
}

/** How many hardest competencies are named. */
export const HARDEST = 10;

const emptyOutcomes = (): OutcomeCounts => ({
  titre_obtenu: 0,
  validation_partielle: 0,
  non_valide: 0,
  absent: 0,
  pending: 0,
});

function group(outcomes: OutcomeCounts): GroupFigures {
  const candidates = Object.values(outcomes).reduce((a, b) => a + b, 0);
  const sat = candidates - outcomes.absent - outcomes.pending;
  return { candidates, outcomes, sat, success: ratio(outcomes.titre_obtenu, sat) };
}

/**
 * The decision that counts for a unit: the jury's when recorded, else certif's proposal;
 * `pending` while a draft prevents one, undefined when the unit is not attempted.
 */
function unitDecision(u: CandidateRow['units'][number]): UnitDecision | 'pending' | undefined {
  if (u.decision) return u.decision;
  if (u.proposal === 'none') return undefined;
  return u.proposal;
}

/** A candidate's outcome: decided, or provisional from decisions and proposals. */
export function candidateOutcome(
  row: CandidateRow,
  ref: Pick<Referential, 'blocs' | 'final_evaluation'>,
): Outcome | 'pending' {
  if (row.outcome) return row.outcome.outcome;
  if (row.pending) return 'pending';
  const decisions: Record<string, UnitDecision | undefined> = {};
  for (const u of row.units) {
    const d = unitDecision(u);
    if (d && d !== 'pending') decisions[u.unit] = d;
  }
  return outcomeOf(
    ref.blocs.map((b) => b.id),
    ref.final_evaluation?.id,
    decisions,
  ).outcome;
}

/** Rank competencies: share of Non acquis, then count, then référentiel order. */
function hardest(list: readonly CompetencyFigures[]): CompetencyFigures[] {
  return list
    .map((c, order) => ({ c, order }))
    .filter(({ c }) => c.nonAcquis.count > 0)
    .sort(
      (x, y) =>
        // Cross-multiplied: 1/5 and 2/10 tie exactly.
        y.c.nonAcquis.count * x.c.nonAcquis.of - x.c.nonAcquis.count * y.c.nonAcquis.of ||
        y.c.nonAcquis.count - x.c.nonAcquis.count ||
        x.order - y.order,
    )
    .slice(0, HARDEST)
    .map(({ c }) => c);
}

/** Compute every figure from the sessions' deliberation rows. Pure. */
export function computeFigures(inputs: readonly SessionInput[]): StatsFigures {
  const sessions: SessionFigures[] = [];
  const years = new Map<string, { outcomes: OutcomeCounts; sessions: string[] }>();
  const total = emptyOutcomes();
  const refs = new Map<
    string,
    {
      ref: Referential;
      blocs: Map<string, { unit: GradedUnit; counts: Record<string, number> }>;
      comps: Map<string, { unit: string; id: string; label: string; na: number; judged: number }>;
    }
  >();
  for (const s of inputs) {
    const outcomes = emptyOutcomes();
    const refKey = `${s.ref.id}@${s.ref.version}`;
    let r = refs.get(refKey);
    if (!r) {
      r = { ref: s.ref, blocs: new Map(), comps: new Map() };
      for (const unit of s.units) {
        r.blocs.set(unit.id, { unit, counts: {} });
        for (const c of competenciesOf(unit)) {
          r.comps.set(`${unit.id}.${c.id}`, {
            unit: unit.id,
            id: c.id,
            label: c.label,
            na: 0,
            judged: 0,
          });
        }
      }
      refs.set(refKey, r);
    }
    for (const row of s.rows) {
      outcomes[candidateOutcome(row, s.ref)] += 1;
      for (const u of row.units) {
        const d = unitDecision(u);
        const bloc = r.blocs.get(u.unit);
        if (d && bloc) bloc.counts[d] = (bloc.counts[d] ?? 0) + 1;
        const e = u.state?.state === 'final' ? u.state.evaluation : undefined;
        if (!e) continue;
        for (const [id, v] of Object.entries(verdicts(e.results))) {
          const comp = r.comps.get(`${u.unit}.${id}`);
          if (!comp) continue;
          comp.judged += 1;
          if (v === 'non_acquis') comp.na += 1;
        }
      }
    }
    const year = s.start?.slice(0, 4) ?? '—';
    const y = years.get(year) ?? { outcomes: emptyOutcomes(), sessions: [] };
    for (const k of Object.keys(outcomes) as (keyof OutcomeCounts)[]) {
      y.outcomes[k] += outcomes[k];
      total[k] += outcomes[k];
    }
    y.sessions.push(s.id);
    years.set(year, y);
    sessions.push({
      id: s.id,
      ...(s.title ? { title: s.title } : {}),
      ...(s.start ? { start: s.start } : {}),
      ...(s.end ? { end: s.end } : {}),
      year,
      referential: refKey,
      closed: s.closedOn !== undefined,
      ...(s.closedOn ? { closedOn: s.closedOn } : {}),
      ...group(outcomes),
    });
  }
  return {
    sessions,
    years: [...years.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([year, y]) => ({ year, sessions: y.sessions, ...group(y.outcomes) })),
    total: group(total),
    referentials: [...refs.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, r]) => {
        const competencies = [...r.comps.values()].map((c) => ({
          unit: c.unit,
          id: c.id,
          label: c.label,
          nonAcquis: ratio(c.na, c.judged),
        }));
        return {
          id: r.ref.id,
          version: r.ref.version,
          title: r.ref.title,
          ...(r.ref.rncp ? { rncp: r.ref.rncp } : {}),
          blocs: [...r.blocs.values()].map(({ unit, counts }) => {
            const valide = counts.valide ?? 0;
            const nonValide = counts.non_valide ?? 0;
            return {
              id: unit.id,
              ...(unit.code ? { code: unit.code } : {}),
              title: unit.title,
              kind: unit.kind,
              valide,
              nonValide,
              absent: counts.absent ?? 0,
              pending: counts.pending ?? 0,
              success: ratio(valide, valide + nonValide),
            };
          }),
          competencies,
          hardest: hardest(competencies),
        };
      }),
  };
}

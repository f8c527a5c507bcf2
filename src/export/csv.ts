import type { Outcome, UnitDecision } from '../model/deliberation.js';
import { toResult } from '../model/session.js';
import { competenciesOf } from '../model/types.js';
import type { CandidateRow, UnitRow } from '../project/deliberation.js';
import type { SessionContext } from '../project/session.js';
import type { Labels } from '../render/labels.js';
import { decisionText, outcomeText } from '../render/view-models.js';

/** Characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell for a French spreadsheet: a cell a spreadsheet would run as a formula gets a leading
 * `'`; a cell holding `;`, `"`, a line break or the `'` guard is quoted as RFC 4180 says.
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A whole file: UTF-8 BOM (so Excel reads the accents), `;` between cells, CRLF after rows. */
export function csvText(rows: readonly (readonly string[])[]): string {
  return '\uFEFF' + rows.map((r) => r.map(csvCell).join(';') + '\r\n').join('');
}

/** A decision's words as documents say them; a pending one says so, none leaves the cell empty. */
function decisionCell(d: UnitDecision | 'pending' | 'none' | undefined, t: Labels): string {
  if (d === 'pending') return t.pendingDraft;
  return d === undefined || d === 'none' ? '' : decisionText(d, t);
}

/** An outcome's words as documents say them; an undecided one says so. */
function outcomeCell(o: Outcome | undefined, t: Labels): string {
  return o === undefined ? t.undecided : outcomeText(o, t);
}

function evaluationText(u: UnitRow, t: Labels): string {
  if (u.evidence.kind === 'acquired_earlier') return t.acquiredBefore;
  if (u.evidence.kind === 'entries') return t.statusEntries;
  switch (u.state?.state) {
    case 'final':
      return t.statusFinal;
    case 'draft':
      return t.statusDraft;
    default:
      return t.statusMissing;
  }
}

type Ctx = Pick<SessionContext, 'session' | 'ref' | 'units'>;

/** Candidate × bloc: the evaluation, certif's proposal, the jury's decision and reason, the outcome. */
export function blocTable(ctx: Ctx, rows: readonly CandidateRow[], t: Labels): string[][] {
  const out: string[][] = [
    [
      t.csvSession,
      t.csvId,
      t.csvFamilyName,
      t.csvGivenName,
      t.csvBloc,
      t.csvTitle,
      t.csvEvaluation,
      t.csvProposal,
      t.csvDecision,
      t.csvReason,
      t.csvOutcome,
    ],
  ];
  for (const row of rows) {
    const c = row.candidate;
    for (const u of row.units) {
      if (u.proposal === 'none') continue;
      const unit = ctx.units.find((x) => x.id === u.unit);
      const decision =
        u.decision ?? (u.proposal === 'acquis_anterieurement' ? u.proposal : undefined);
      out.push([
        ctx.session.id,
        c.id,
        c.family_name,
        c.given_name,
        u.unit,
        unit?.title ?? '',
        evaluationText(u, t),
        u.evidence.kind === 'entries' ? t.pendingEntries : decisionCell(u.proposal, t),
        u.stale && u.proposal !== 'pending' ? t.decisionStale : decisionCell(decision, t),
        u.reason ?? '',
        outcomeCell(row.outcome?.outcome, t),
      ]);
    }
  }
  return out;
}

/** Candidate × competency: Acquis / Non acquis and the observation, for every unit attempted. */
export function competencyTable(ctx: Ctx, rows: readonly CandidateRow[], t: Labels): string[][] {
  const out: string[][] = [
    [
      t.csvSession,
      t.csvId,
      t.csvFamilyName,
      t.csvGivenName,
      t.csvBloc,
      t.csvCompetency,
      t.csvTitle,
      t.csvResult,
      t.csvObservation,
      t.csvEvaluation,
    ],
  ];
  for (const row of rows) {
    const c = row.candidate;
    for (const u of row.units) {
      const unit = ctx.units.find((x) => x.id === u.unit);
      if (!unit || !u.state) continue;
      const results = u.state.evaluation?.results ?? {};
      for (const comp of competenciesOf(unit)) {
        const value = results[comp.id];
        const r = value === undefined ? undefined : toResult(value);
        out.push([
          ctx.session.id,
          c.id,
          c.family_name,
          c.given_name,
          unit.id,
          `${unit.id}.${comp.id}`,
          comp.label,
          r ? (r.verdict === 'acquis' ? t.acquis : t.nonAcquis) : '',
          r?.observation ?? '',
          evaluationText(u, t),
        ]);
      }
    }
  }
  return out;
}

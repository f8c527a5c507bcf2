import { InvalidFilesError } from '../cli/errors.js';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { propose, type Proposal } from '../model/decide.js';
import { verdicts, type Candidate, type Evaluation } from '../model/session.js';
import { competenciesOf, type GradedUnit } from '../model/types.js';
import { evaluationPath } from './evaluation-store.js';
import path from 'node:path';
import { diagnostic } from '../diagnostics/messages.js';
import { brokenHashLink } from '../model/evaluation-hash.js';
// The evaluation rules register the messages of evaluation/tampered.
import '../rules/evaluation.js';
import { symlinkDiagnostic } from './confine.js';
import { displayPath } from './files.js';
import { checkText, readTextSync, type Loaded } from './load.js';
import type { SessionContext } from './session.js';

/** Where a candidate stands on one unit. */
export interface UnitState {
  readonly candidate: Candidate;
  readonly unit: GradedUnit;
  readonly file: string;
  readonly state: 'not_started' | 'draft' | 'final' | 'invalid';
  readonly answered: number;
  readonly total: number;
  readonly proposal?: Proposal;
  readonly evaluation?: Evaluation;
  /**
   * The file's content when it reads but is not used (edited by hand, another candidate's):
   * what `certif validate` checks a deliberation's decisions and digest against.
   */
  readonly unused?: Evaluation;
  readonly diagnostics: readonly Diagnostic[];
}

/** Read the evaluation of one candidate on one unit (absent, draft, final or unreadable). */
// eslint-disable-next-line @typescript-eslint/require-await -- async for callers; sync reads inside for speed
export async function unitState(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
): Promise<UnitState> {
  const file = evaluationPath(ctx, candidate.id, unit.id);
  const total = competenciesOf(unit).length;
  const display = displayPath(file, ctx.cwd);
  const invalid = (diagnostics: readonly Diagnostic[], unused?: Evaluation): UnitState => ({
    candidate,
    unit,
    file,
    state: 'invalid',
    answered: 0,
    total,
    ...(unused ? { unused } : {}),
    diagnostics,
  });
  // A linked candidate folder is reported, not read; the file itself is opened without following
  // a link (readTextSync reports one as file/symlink).
  const linked = symlinkDiagnostic(ctx.root, path.dirname(file), display, ctx.lang, ctx.cwd);
  if (linked) return invalid([linked]);
  const read = readTextSync(file, display, ctx.lang);
  if (read.missing) {
    return { candidate, unit, file, state: 'not_started', answered: 0, total, diagnostics: [] };
  }
  const loaded: Loaded<Evaluation> =
    read.text === undefined
      ? { diagnostics: read.diagnostics }
      : checkText<Evaluation>(read.text, display, 'evaluation', ctx.lang);
  if (!loaded.value) return invalid(loaded.diagnostics);
  const e = loaded.value;
  // A file that is not this candidate's evaluation of this unit (copied, moved) is not used.
  if (e.candidate !== candidate.id || e.bloc !== unit.id || e.session !== ctx.session.id) {
    const expected = `${ctx.session.id}/${candidate.id}/${unit.id}`;
    const mismatch = diagnostic(
      ctx.lang,
      'evaluation/path-mismatch',
      { field: 'candidate/bloc/session', value: `${e.session}/${e.candidate}/${e.bloc}`, expected },
      { file: display, line: 1, column: 1 },
    );
    return invalid([mismatch], e);
  }
  // A final evaluation edited by hand is not printed as if it were the jury's.
  if (e.status === 'final' && brokenHashLink(e) !== undefined) {
    const tampered = diagnostic(
      ctx.lang,
      'evaluation/tampered',
      {},
      { file: display, line: 1, column: 1 },
    );
    return invalid([tampered], e);
  }
  const ids = competenciesOf(unit).map((c) => c.id);
  const answered = ids.filter((id) => id in e.results).length;
  return {
    candidate,
    unit,
    file,
    state: e.status,
    answered,
    total,
    proposal: propose(ids, verdicts(e.results), unit.validation),
    evaluation: e,
    diagnostics: [],
  };
}

/** Every candidate × attempted unit of a session, in session order. */
export async function sessionStates(ctx: SessionContext): Promise<UnitState[]> {
  const out: UnitState[] = [];
  for (const candidate of ctx.session.candidates) {
    for (const unit of ctx.units) {
      if (candidate.blocs.includes(unit.id)) out.push(await unitState(ctx, candidate, unit));
    }
  }
  return out;
}

/** Refuse to print or export from evaluations that are unreadable or were edited by hand. */
export function assertPrintable(states: readonly UnitState[], lang: Lang): void {
  const bad = states.filter((s) => s.state === 'invalid');
  if (bad.length > 0) {
    throw new InvalidFilesError(
      lang === 'en'
        ? `${bad.length} evaluation(s) unreadable or edited by hand: nothing was produced; run certif validate`
        : `${bad.length} évaluation(s) illisible(s) ou modifiée(s) à la main : rien n’a été produit ; lancez certif validate`,
      bad.flatMap((s) => s.diagnostics),
    );
  }
}

import { registerMessages } from '../diagnostics/messages.js';
import { brokenHashLink } from '../model/evaluation-hash.js';
import {
  resultObservation,
  resultVerdict,
  type Evaluation,
  type ResultValue,
  type Session,
} from '../model/session.js';
import { competencyIds, gradedUnits, type GradedUnit, type Referential } from '../model/types.js';
import { encodeSegment } from '../source/locate.js';
import type { SourceFile } from '../source/parse.js';
import type { RuleContext } from './context.js';

const t = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

registerMessages({
  'evaluation/path-mismatch': {
    severity: 'error',
    fr: (p) => [
      `« ${t(p.field)}: ${t(p.value)} » ne correspond pas à l’emplacement du fichier (attendu : ${t(p.expected)}).`,
      'Le fichier doit être sessions/<session>/evaluations/<candidat>/<bloc>.yaml : corrigez la valeur ou déplacez le fichier.',
    ],
    en: (p) => [
      `"${t(p.field)}: ${t(p.value)}" does not match where the file is (expected: ${t(p.expected)}).`,
      'The file must be sessions/<session>/evaluations/<candidate>/<bloc>.yaml: fix the value or move the file.',
    ],
  },
  'evaluation/unknown-candidate': {
    severity: 'error',
    fr: (p) => [
      `Candidat « ${t(p.candidate)} » absent de la session.`,
      'Ajoutez-le à session.yaml (certif candidates import) ou corrigez l’identifiant.',
    ],
    en: (p) => [
      `Candidate "${t(p.candidate)}" is not in the session.`,
      'Add them to session.yaml (certif candidates import) or fix the id.',
    ],
  },
  'evaluation/not-attempted': {
    severity: 'error',
    fr: (p) => [
      `Le candidat ${t(p.candidate)} ne présente pas ${t(p.bloc)} à cette session.`,
      `Blocs présentés : ${t(p.known)}.`,
    ],
    en: (p) => [
      `Candidate ${t(p.candidate)} does not attempt ${t(p.bloc)} in this session.`,
      `Blocs attempted: ${t(p.known)}.`,
    ],
  },
  'evaluation/unknown-competency': {
    severity: 'error',
    fr: (p) => [
      `« ${t(p.competency)} » n’est pas une compétence de ${t(p.bloc)}.`,
      `Compétences : ${t(p.known)}.`,
    ],
    en: (p) => [
      `"${t(p.competency)}" is not a competency of ${t(p.bloc)}.`,
      `Competencies: ${t(p.known)}.`,
    ],
  },
  'evaluation/observation-required': {
    severity: 'error',
    fr: (p) => [
      `${t(p.competency)} est jugée Non acquis sans observation.`,
      'Ajoutez l’observation du jury (ce qui manquait au regard du seuil attendu).',
    ],
    en: (p) => [
      `${t(p.competency)} is judged Non acquis without an observation.`,
      'Add the jury’s observation (what was missing against the expected threshold).',
    ],
  },
  'evaluation/incomplete-final': {
    severity: 'error',
    fr: (p) => [
      `Évaluation finale incomplète : ${t(p.count)} compétence(s) sans résultat (${t(p.missing)}).`,
      'Une évaluation n’est finalisée que lorsque toutes les compétences sont jugées.',
    ],
    en: (p) => [
      `Final evaluation is incomplete: ${t(p.count)} competenc(ies) without a result (${t(p.missing)}).`,
      'An evaluation is finalised only when every competency is judged.',
    ],
  },
  'evaluation/unsigned-final': {
    severity: 'error',
    fr: () => [
      'Évaluation « final » sans finalisation enregistrée (finalized, hash).',
      'Finalisez avec certif grade … --finalize --by <juré>,<juré>, ou remettez status: draft.',
    ],
    en: () => [
      'Evaluation marked "final" without a recorded finalisation (finalized, hash).',
      'Finalise with certif grade … --finalize --by <juror>,<juror>, or set status: draft.',
    ],
  },
  'evaluation/tampered': {
    severity: 'error',
    fr: (p) => [
      `Évaluation finale modifiée à la main : son contenu ne correspond plus à son empreinte${p.amendment ? ` (avenant n° ${t(p.amendment)})` : ''}.`,
      'Restaurez le fichier (git) ; une correction passe par certif amend, qui garde la valeur précédente, qui, quand et pourquoi.',
    ],
    en: (p) => [
      `Final evaluation edited by hand: its content no longer matches its hash${p.amendment ? ` (amendment #${t(p.amendment)})` : ''}.`,
      'Restore the file (git); a correction goes through certif amend, which keeps the previous value, who, when and why.',
    ],
  },
  'evaluation/status-edited': {
    severity: 'error',
    fr: () => [
      'Évaluation finalisée remise en brouillon à la main (elle porte encore finalized et hash).',
      'Remettez status: final (git) ; une correction passe par certif amend.',
    ],
    en: () => [
      'Final evaluation set back to draft by hand (it still carries finalized and hash).',
      'Set status: final again (git); a correction goes through certif amend.',
    ],
  },
  'evaluation/jurors-mismatch': {
    severity: 'warning',
    fr: (p) => [
      `Les jurés de l’évaluation (${t(p.actual)}) ne sont pas ceux du jury de ${t(p.bloc)} (${t(p.expected)}).`,
      'Vérifiez le jury déclaré dans session.yaml.',
    ],
    en: (p) => [
      `The evaluation’s jurors (${t(p.actual)}) are not the jury of ${t(p.bloc)} (${t(p.expected)}).`,
      'Check the jury declared in session.yaml.',
    ],
  },
});

const byId = new WeakMap<Session, Map<string, Session['candidates'][number]>>();

/** A session's candidates by id (built once per session). */
function candidatesById(session: Session): Map<string, Session['candidates'][number]> {
  let map = byId.get(session);
  if (!map) {
    map = new Map(session.candidates.map((c) => [c.id, c]));
    byId.set(session, map);
  }
  return map;
}

/** Where the file sits: its session, candidate and unit from the path. */
export interface EvaluationPlace {
  readonly session: string;
  readonly candidate: string;
  readonly bloc: string;
}

/** Is an observation required for this verdict under the référentiel's rule? */
export function observationRequired(ref: Referential, verdict: 'acquis' | 'non_acquis'): boolean {
  const rule = ref.grading?.observation_required ?? 'non_acquis';
  return rule === 'always' || (rule === 'non_acquis' && verdict === 'non_acquis');
}

/** Rules of an evaluation file against its session and référentiel. */
export function checkEvaluation(
  ctx: RuleContext,
  source: SourceFile,
  e: Evaluation,
  place: EvaluationPlace,
  session: Session | undefined,
  ref: Referential | undefined,
): void {
  for (const field of ['session', 'candidate', 'bloc'] as const) {
    if (e[field] !== place[field]) {
      ctx.report(
        source,
        'evaluation/path-mismatch',
        { field, value: e[field], expected: place[field] },
        `/${field}`,
      );
    }
  }
  if (e.status === 'draft' && (e.hash !== undefined || e.finalized !== undefined)) {
    // A final evaluation set back to draft by hand would be editable again without amendment.
    ctx.report(source, 'evaluation/status-edited', {}, '/status');
  }
  if (e.status === 'final') {
    if (!e.hash || !e.finalized) {
      ctx.report(source, 'evaluation/unsigned-final', {}, '/status');
    } else {
      const broken = brokenHashLink(e);
      if (broken !== undefined) {
        ctx.report(
          source,
          'evaluation/tampered',
          { amendment: broken >= 0 ? broken + 1 : undefined },
          broken >= 0 ? `/amendments/${broken}` : '/hash',
        );
      }
    }
  }
  if (!session) return;
  const candidate = candidatesById(session).get(e.candidate);
  if (!candidate) {
    ctx.report(source, 'evaluation/unknown-candidate', { candidate: e.candidate }, '/candidate');
    return;
  }
  if (!candidate.blocs.includes(e.bloc)) {
    ctx.report(
      source,
      'evaluation/not-attempted',
      { candidate: e.candidate, bloc: e.bloc, known: candidate.blocs.join(', ') },
      '/bloc',
    );
  }
  const jury = session.juries[e.bloc];
  if (jury && e.jurors && !sameMembers(e.jurors, jury)) {
    ctx.report(
      source,
      'evaluation/jurors-mismatch',
      { bloc: e.bloc, actual: e.jurors.join(', '), expected: jury.join(', ') },
      '/jurors',
    );
  }
  if (!ref) return;
  const unit: GradedUnit | undefined = gradedUnits(ref).find((u) => u.id === e.bloc);
  if (!unit) return;
  const ids = competencyIds(unit);
  const pointer = (id: string) => `/results/${encodeSegment(id)}`;
  // Indexed loops, no object per result: this runs for every evaluation of a validate.
  const resultIds = Object.keys(e.results);
  let known = 0;
  for (let i = 0; i < resultIds.length; i++) {
    const id = resultIds[i] as string;
    if (!ids.has(id)) {
      ctx.report(
        source,
        'evaluation/unknown-competency',
        { competency: id, bloc: e.bloc, known: [...ids].join(', ') },
        pointer(id),
        { atKey: true },
      );
      continue;
    }
    known += 1;
    const value = e.results[id] as ResultValue;
    if (resultObservation(value) === undefined && observationRequired(ref, resultVerdict(value))) {
      ctx.report(
        source,
        'evaluation/observation-required',
        { competency: `${e.bloc}.${id}` },
        pointer(id),
        {
          atKey: true,
          severity: e.status === 'final' ? 'error' : 'warning',
        },
      );
    }
  }
  // Some competency without a result: only then is the list of them built.
  if (e.status === 'final' && known < ids.size) {
    const missing = [...ids].filter((id) => !(id in e.results));
    if (missing.length > 0) {
      ctx.report(
        source,
        'evaluation/incomplete-final',
        {
          count: missing.length,
          missing: missing.slice(0, 6).join(', ') + (missing.length > 6 ? ', …' : ''),
        },
        '/results',
        { atKey: true },
      );
    }
  }
}

/**
 * Whether two short lists (a jury: at most 20 ids) hold the same items, each as many times, in
 * any order; without the two sorted copies per evaluation file a comparison of joined strings
 * made (~5 MB of allocation over 3,000 files).
 */
export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (const x of a) {
    let inA = 0;
    let inB = 0;
    for (const y of a) if (y === x) inA += 1;
    for (const y of b) if (y === x) inB += 1;
    if (inA !== inB) return false;
  }
  return true;
}

/** A judgement on one competency. */
export type Verdict = 'acquis' | 'non_acquis';

/** The jury composition rule. */
export interface JuryRule {
  readonly size: number;
  readonly min_independent: number;
}

/** The rule that proposes "bloc validé". */
export interface ValidationRule {
  readonly rule: 'all' | 'min_count' | 'min_ratio';
  readonly min_count?: number;
  readonly min_ratio?: number;
  readonly required?: readonly string[];
}

export interface Competency {
  readonly id: string;
  readonly label: string;
  readonly threshold?: string;
}

export interface Activity {
  readonly id: string;
  readonly title: string;
  readonly competencies: readonly Competency[];
}

export interface Criterion {
  readonly id: string;
  readonly label: string;
}

export interface Modality {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
}

export interface Bloc {
  readonly id: string;
  readonly code?: string;
  readonly title: string;
  readonly summary?: string;
  readonly activities: readonly Activity[];
  readonly evaluation: {
    readonly modalities: readonly Modality[];
    readonly criteria: readonly Criterion[];
  };
  readonly validation?: ValidationRule;
}

export interface FinalEvaluation {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly items: readonly Criterion[];
  readonly soutenance_minutes?: number;
  readonly jury?: JuryRule;
  readonly validation?: ValidationRule;
}

/** A référentiel as its file describes it (after schema validation). */
export interface Referential {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly rncp?: string;
  readonly level?: number;
  readonly legal_basis?: string;
  readonly jury: JuryRule;
  readonly grading?: { readonly observation_required?: 'non_acquis' | 'always' | 'never' };
  readonly principles?: readonly string[];
  readonly blocs: readonly Bloc[];
  readonly final_evaluation?: FinalEvaluation;
}

/** The default rule: every competency acquired. */
export const DEFAULT_VALIDATION: ValidationRule = { rule: 'all' };

/**
 * Something graded Acquis / Non acquis by a jury: a bloc, or the final evaluation seen as a unit
 * whose "competencies" are its items.
 */
export interface GradedUnit {
  readonly id: string;
  readonly code?: string;
  readonly title: string;
  readonly kind: 'bloc' | 'final';
  readonly activities: readonly Activity[];
  readonly criteria: readonly Criterion[];
  readonly validation: ValidationRule;
  readonly jury: JuryRule;
}

const competenciesCache = new WeakMap<object, Competency[]>();

/** Every competency of a bloc, in order (cached per bloc; do not modify the array). */
export function competenciesOf(bloc: Pick<Bloc, 'activities'>): Competency[] {
  let list = competenciesCache.get(bloc);
  if (!list) {
    list = bloc.activities.flatMap((a) => a.competencies);
    competenciesCache.set(bloc, list);
  }
  return list;
}

const idsCache = new WeakMap<object, ReadonlySet<string>>();

/** The ids of a bloc's competencies, in order (cached per bloc, as {@link competenciesOf}). */
export function competencyIds(bloc: Pick<Bloc, 'activities'>): ReadonlySet<string> {
  let ids = idsCache.get(bloc);
  if (!ids) {
    ids = new Set(competenciesOf(bloc).map((c) => c.id));
    idsCache.set(bloc, ids);
  }
  return ids;
}

const unitsCache = new WeakMap<Referential, GradedUnit[]>();

/** The units a candidate can be graded on: every bloc, then the final evaluation (cached). */
export function gradedUnits(ref: Referential): GradedUnit[] {
  let units = unitsCache.get(ref);
  if (!units) {
    units = buildUnits(ref);
    unitsCache.set(ref, units);
  }
  return units;
}

function buildUnits(ref: Referential): GradedUnit[] {
  const units: GradedUnit[] = ref.blocs.map((b) => ({
    id: b.id,
    ...(b.code ? { code: b.code } : {}),
    title: b.title,
    kind: 'bloc',
    activities: b.activities,
    criteria: b.evaluation.criteria,
    validation: b.validation ?? DEFAULT_VALIDATION,
    jury: ref.jury,
  }));
  const fe = ref.final_evaluation;
  if (fe) {
    units.push({
      id: fe.id,
      title: fe.title,
      kind: 'final',
      activities: [
        {
          id: fe.id,
          title: fe.title,
          competencies: fe.items.map((i) => ({ id: i.id, label: i.label })),
        },
      ],
      criteria: [],
      validation: fe.validation ?? DEFAULT_VALIDATION,
      jury: fe.jury ?? ref.jury,
    });
  }
  return units;
}

import { v5 as uuidv5 } from 'uuid';
import { competenciesOf, type Bloc, type Referential } from '../model/types.js';

/**
 * The namespace of every UUID certif derives (UUID v5). Fixed forever: changing it would give
 * every exported item and credential a new identity.
 */
export const CERTIF_NAMESPACE = '085dee0d-33c0-4342-87f3-fc8476cca07b';

/**
 * The lastChangeDateTime written when none is given: a référentiel file carries no date, and
 * the clock would make two exports of the same data differ.
 */
export const DEFAULT_CASE_DATE = '1970-01-01T00:00:00Z';

/** The deterministic UUID of one element of a référentiel version (e.g. `BC01.C4`). */
export function elementUuid(ref: Pick<Referential, 'id' | 'version'>, element: string): string {
  return uuidv5(`${ref.id}@${ref.version}/${element}`, CERTIF_NAMESPACE);
}

/** Where CASE identifiers point: `urn:uuid:` by default, or under a CASE server's base URL. */
export interface CaseOptions {
  /** e.g. `https://case.example.org/ims/case/v1p0/`; URIs then follow the CASE REST paths. */
  readonly baseUri?: string | undefined;
  /** YYYY-MM-DD or a full date-time; {@link DEFAULT_CASE_DATE} otherwise. */
  readonly date?: string | undefined;
  /** Who made the framework (CFDocument.creator). */
  readonly creator?: string | undefined;
}

type Kind =
  | 'CFDocuments'
  | 'CFItemTypes'
  | 'CFItems'
  | 'CFAssociations'
  | 'CFRubrics'
  | 'CFRubricCriteria'
  | 'CFRubricCriterionLevels';

/** The URI of a CASE object of a référentiel version. */
export function caseUri(kind: Kind, id: string, o: Pick<CaseOptions, 'baseUri'>): string {
  if (!o.baseUri) return `urn:uuid:${id}`;
  const base = o.baseUri.endsWith('/') ? o.baseUri : `${o.baseUri}/`;
  return `${base}${kind}/${id}`;
}

/** A CASE LinkURI: title, identifier, uri. */
interface LinkUri {
  readonly title: string;
  readonly identifier: string;
  readonly uri: string;
}

/** The CFItem of a bloc: what Open Badges credentials align to. */
export function blocItemLink(ref: Referential, bloc: Bloc, o: CaseOptions): LinkUri {
  const identifier = elementUuid(ref, bloc.id);
  return { title: bloc.title, identifier, uri: caseUri('CFItems', identifier, o) };
}

/** The CFItem of a competency of a bloc (`BC01.C4`). */
export function competencyItemLink(
  ref: Referential,
  bloc: Pick<Bloc, 'id'>,
  competencyId: string,
  label: string,
  o: CaseOptions,
): LinkUri {
  const identifier = elementUuid(ref, `${bloc.id}.${competencyId}`);
  return { title: label, identifier, uri: caseUri('CFItems', identifier, o) };
}

/** The Acquis / Non acquis levels of every rubric criterion, in this order. */
export const LEVELS = [
  { key: 'acquis', quality: 'Acquis', score: 1 },
  { key: 'non_acquis', quality: 'Non acquis', score: 0 },
] as const;

/** The CFRubricCriterionLevel identifier of a competency's level (Open Badges align to it). */
export function levelUuid(
  ref: Referential,
  bloc: Pick<Bloc, 'id'>,
  competencyId: string,
  level: (typeof LEVELS)[number]['key'],
): string {
  return elementUuid(ref, `rubric/${bloc.id}/${competencyId}/${level}`);
}

/** The CFItemType names, in the référentiel's language (French) whatever `--lang` says. */
const ITEM_TYPES = {
  bloc: 'Bloc de compétences',
  activity: 'Activité',
  competency: 'Compétence',
  criterion: 'Critère d’évaluation',
  final: 'Évaluation finale',
  'final-item': 'Élément de l’évaluation finale',
} as const;

/** A date-time for CASE from a YYYY-MM-DD or date-time option. */
export function caseDateTime(date: string | undefined): string {
  if (!date) return DEFAULT_CASE_DATE;
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00Z` : date;
}

/** The official page of a fiche, from `RNCP12345`. */
function rncpUrl(rncp: string | undefined): string | undefined {
  const m = /^RNCP(\d+)$/i.exec(rncp?.trim() ?? '');
  return m ? `https://www.francecompetences.fr/recherche/rncp/${m[1] ?? ''}/` : undefined;
}

/**
 * The référentiel as a CASE 1.0 CFPackage: a CFDocument; CFItems for blocs, activities,
 * competencies, criteria, the final evaluation and its items; isChildOf associations; one
 * CFRubric per bloc (and for the final evaluation) whose criteria are its competencies (items),
 * each with the levels Acquis and Non acquis. Every identifier is a UUID v5 of
 * the référentiel id, version and element, so the same data gives the same bytes.
 */
export function buildCasePackage(ref: Referential, o: CaseOptions = {}) {
  const when = caseDateTime(o.date);
  const docId = elementUuid(ref, 'document');
  const docUri = caseUri('CFDocuments', docId, o);
  const docLink: LinkUri = { title: ref.title, identifier: docId, uri: docUri };
  const source = rncpUrl(ref.rncp);
  const CFDocument = {
    identifier: docId,
    uri: docUri,
    creator: o.creator ?? 'certif',
    title: ref.title,
    lastChangeDateTime: when,
    ...(source ? { officialSourceURL: source } : {}),
    ...(ref.legal_basis ? { notes: ref.legal_basis } : {}),
    ...(ref.rncp || ref.level
      ? {
          description: [ref.rncp, ref.level ? `niveau ${ref.level}` : '']
            .filter(Boolean)
            .join(', '),
        }
      : {}),
    language: 'fr',
    version: ref.version,
    CFPackageURI: docLink,
  };

  const typeKeys = Object.keys(ITEM_TYPES) as (keyof typeof ITEM_TYPES)[];
  const itemTypes = typeKeys.map((key, i) => {
    const identifier = elementUuid(ref, `item-type/${key}`);
    return {
      identifier,
      uri: caseUri('CFItemTypes', identifier, o),
      title: ITEM_TYPES[key],
      hierarchyCode: String(i + 1),
      lastChangeDateTime: when,
    };
  });
  const typeLink = (key: keyof typeof ITEM_TYPES): LinkUri => {
    const t = itemTypes[typeKeys.indexOf(key)];
    return { title: t?.title ?? '', identifier: t?.identifier ?? '', uri: t?.uri ?? '' };
  };

  const items: Record<string, unknown>[] = [];
  const associations: Record<string, unknown>[] = [];
  const item = (
    code: string,
    type: keyof typeof ITEM_TYPES,
    statement: string,
    position: number,
    extra: Record<string, string> = {},
  ): LinkUri => {
    const identifier = elementUuid(ref, code);
    const uri = caseUri('CFItems', identifier, o);
    items.push({
      identifier,
      uri,
      fullStatement: statement,
      humanCodingScheme: code,
      listEnumeration: String(position),
      CFItemType: ITEM_TYPES[type],
      CFItemTypeURI: typeLink(type),
      language: 'fr',
      ...extra,
      lastChangeDateTime: when,
      CFDocumentURI: docLink,
    });
    return { title: statement, identifier, uri };
  };
  const childOf = (child: LinkUri, parent: LinkUri, position: number) => {
    const identifier = elementUuid(ref, `association/${child.identifier}/isChildOf`);
    associations.push({
      identifier,
      associationType: 'isChildOf',
      sequenceNumber: position,
      uri: caseUri('CFAssociations', identifier, o),
      originNodeURI: child,
      destinationNodeURI: parent,
      lastChangeDateTime: when,
      CFDocumentURI: docLink,
    });
  };

  const rubrics: Record<string, unknown>[] = [];
  ref.blocs.forEach((bloc, bi) => {
    const blocLink = item(bloc.id, 'bloc', bloc.title, bi + 1, {
      ...(bloc.code ? { alternativeLabel: bloc.code } : {}),
      ...(bloc.summary ? { notes: bloc.summary } : {}),
    });
    childOf(blocLink, docLink, bi + 1);
    bloc.activities.forEach((act, ai) => {
      const actLink = item(`${bloc.id}.${act.id}`, 'activity', act.title, ai + 1);
      childOf(actLink, blocLink, ai + 1);
      act.competencies.forEach((comp, ci) => {
        const compLink = item(
          `${bloc.id}.${comp.id}`,
          'competency',
          comp.label,
          ci + 1,
          comp.threshold ? { notes: comp.threshold } : {},
        );
        childOf(compLink, actLink, ci + 1);
      });
    });
    const firstCriterion = bloc.activities.length + 1;
    bloc.evaluation.criteria.forEach((cr, ki) => {
      const crLink = item(`${bloc.id}.${cr.id}`, 'criterion', cr.label, ki + 1);
      childOf(crLink, blocLink, firstCriterion + ki);
    });
    rubrics.push(rubric(ref, bloc, competenciesOf(bloc), `${bloc.id} — ${bloc.title}`, when, o));
  });

  // The final evaluation is graded like a bloc (Acquis / Non acquis per item): its own CFItem
  // after the blocs, its items below it, and its rubric, so a badge or a diff can point at it.
  const fe = ref.final_evaluation;
  if (fe) {
    const position = ref.blocs.length + 1;
    const notes = [
      fe.description,
      fe.soutenance_minutes ? `Soutenance : ${fe.soutenance_minutes} min.` : undefined,
    ]
      .filter(Boolean)
      .join('\n\n');
    const feLink = item(fe.id, 'final', fe.title, position, notes ? { notes } : {});
    childOf(feLink, docLink, position);
    fe.items.forEach((it, ii) => {
      const itLink = item(`${fe.id}.${it.id}`, 'final-item', it.label, ii + 1);
      childOf(itLink, feLink, ii + 1);
    });
    const criteria = fe.items.map((it) => ({ id: it.id, label: it.label }));
    rubrics.push(rubric(ref, fe, criteria, `${fe.id} — ${fe.title}`, when, o));
  }

  return {
    CFDocument,
    CFItems: items,
    CFAssociations: associations,
    CFDefinitions: { CFItemTypes: itemTypes },
    CFRubrics: rubrics,
  };
}

/**
 * The grid of a bloc (or of the final evaluation) as a CFRubric: one criterion per competency
 * (or item), Acquis / Non acquis.
 */
function rubric(
  ref: Referential,
  bloc: Pick<Bloc, 'id'>,
  competencies: readonly { readonly id: string; readonly label: string }[],
  title: string,
  when: string,
  o: CaseOptions,
) {
  const rubricId = elementUuid(ref, `rubric/${bloc.id}`);
  return {
    identifier: rubricId,
    uri: caseUri('CFRubrics', rubricId, o),
    title: `Grille d’évaluation ${title}`,
    description: 'Chaque compétence est évaluée Acquis ou Non acquis.',
    lastChangeDateTime: when,
    CFRubricCriteria: competencies.map((comp, ci) => {
      const criterionId = elementUuid(ref, `rubric/${bloc.id}/${comp.id}`);
      return {
        identifier: criterionId,
        uri: caseUri('CFRubricCriteria', criterionId, o),
        category: `${bloc.id}.${comp.id}`,
        description: comp.label,
        CFItemURI: competencyItemLink(ref, bloc, comp.id, comp.label, o),
        position: ci + 1,
        rubricId,
        lastChangeDateTime: when,
        CFRubricCriterionLevels: LEVELS.map((level, li) => {
          const levelId = levelUuid(ref, bloc, comp.id, level.key);
          return {
            identifier: levelId,
            uri: caseUri('CFRubricCriterionLevels', levelId, o),
            description: level.quality,
            quality: level.quality,
            score: level.score,
            position: li + 1,
            rubricCriterionId: criterionId,
            lastChangeDateTime: when,
          };
        }),
      };
    }),
  };
}

/** The package as written: two-space JSON and a final newline, so re-exports compare by bytes. */
export function caseJson(pkg: ReturnType<typeof buildCasePackage>): string {
  return JSON.stringify(pkg, null, 2) + '\n';
}

import { v5 as uuidv5 } from 'uuid';
import type { Candidate, Evaluation, Session } from '../model/session.js';
import { toResult } from '../model/session.js';
import type { Bloc, Referential, ValidationRule } from '../model/types.js';
import { competenciesOf, DEFAULT_VALIDATION } from '../model/types.js';
import {
  blocItemLink,
  CERTIF_NAMESPACE,
  caseUri,
  competencyItemLink,
  elementUuid,
  LEVELS,
  levelUuid,
  type CaseOptions,
} from './case.js';

/** The JSON-LD contexts of an Open Badges 3.0 credential, in the order the standard requires. */
export const OB3_CONTEXT = [
  'https://www.w3.org/ns/credentials/v2',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
] as const;

/** Who issues the credentials. */
export interface Issuer {
  /** A URI: the issuer's DID or URL when the credentials are to be signed. */
  readonly id: string;
  readonly name: string;
  readonly city?: string | undefined;
}

/** What one credential is built from. */
export interface BadgeInput {
  readonly ref: Referential;
  readonly session: Session;
  readonly candidate: Candidate;
  readonly bloc: Bloc;
  /** The final evaluation of the bloc (its results, after any amendment). */
  readonly evaluation: Evaluation;
  /** The deliberation's date (YYYY-MM-DD). */
  readonly closedOn: string;
  readonly issuer: Issuer;
  readonly caseOptions: CaseOptions;
}

/** `urn:uuid:` of a UUID v5 under certif's namespace. */
function urn(name: string): string {
  return `urn:uuid:${uuidv5(name, CERTIF_NAMESPACE)}`;
}

/** The issuer's default id, stable for one centre name. */
export function defaultIssuerId(name: string): string {
  return urn(`issuer/${name}`);
}

function ruleSentence(v: ValidationRule): string {
  const base =
    v.rule === 'all'
      ? 'toutes les compétences du bloc sont acquises'
      : v.rule === 'min_count'
        ? `au moins ${v.min_count ?? 0} compétences du bloc sont acquises`
        : `au moins ${Math.round((v.min_ratio ?? 1) * 100)} % des compétences du bloc sont acquises`;
  return v.required?.length ? `${base}, dont toujours ${v.required.join(', ')}` : base;
}

/** The criteria narrative (Markdown): how the bloc is assessed, its criteria, its rule. */
function narrative(ref: Referential, bloc: Bloc): string {
  const lines = [
    `Bloc de compétences ${bloc.id} du référentiel « ${ref.title} »${ref.rncp ? ` (${ref.rncp})` : ''}, version ${ref.version}.`,
    '',
    'Chaque compétence est évaluée Acquis ou Non acquis par un jury, lors d’une mise en situation professionnelle.',
    '',
  ];
  if (bloc.evaluation.modalities.length > 0) {
    lines.push('Modalités d’évaluation :', '');
    for (const m of bloc.evaluation.modalities) lines.push(`- ${m.title}`);
    lines.push('');
  }
  if (bloc.evaluation.criteria.length > 0) {
    lines.push('Critères d’évaluation :', '');
    for (const c of bloc.evaluation.criteria) lines.push(`- ${bloc.id}.${c.id} ${c.label}`);
    lines.push('');
  }
  lines.push(
    `Le bloc est validé par le jury de certification lorsque ${ruleSentence(bloc.validation ?? DEFAULT_VALIDATION)}.`,
  );
  return lines.join('\n');
}

/**
 * One Open Badges 3.0 AchievementCredential for a bloc validated by the jury: the achievement is
 * the bloc, aligned to its CASE CFItem; a result per competency (Acquis / Non acquis, aligned
 * to the CASE rubric levels). Unsigned. The candidate's accommodations are never read here.
 */
export function buildBadge(input: BadgeInput) {
  const { ref, session, candidate, bloc, evaluation, closedOn, issuer, caseOptions } = input;
  const when = `${closedOn}T00:00:00Z`;
  const blocLink = blocItemLink(ref, bloc, caseOptions);
  const results = evaluation.results;
  const comps = competenciesOf(bloc);
  const rdId = (compId: string) => `urn:uuid:${elementUuid(ref, `result/${bloc.id}/${compId}`)}`;
  const levelId = (compId: string, key: string) =>
    `urn:uuid:${elementUuid(ref, `result/${bloc.id}/${compId}/${key}`)}`;
  const name = `${bloc.id} — ${bloc.title}`;
  return {
    '@context': [...OB3_CONTEXT],
    id: urn(`credential/${ref.id}@${ref.version}/${session.id}/${candidate.id}/${bloc.id}`),
    type: ['VerifiableCredential', 'AchievementCredential'],
    name,
    description: `Bloc de compétences ${bloc.id} validé par le jury de certification du ${closedOn}.`,
    issuer: {
      id: issuer.id,
      type: ['Profile'],
      name: issuer.name,
      ...(issuer.city
        ? {
            address: {
              type: ['Address'],
              addressLocality: issuer.city,
              addressCountryCode: 'FR',
            },
          }
        : {}),
    },
    validFrom: when,
    awardedDate: when,
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [
        {
          type: 'IdentityObject',
          identityType: 'name',
          hashed: false,
          identityHash: `${candidate.given_name} ${candidate.family_name}`,
        },
      ],
      achievement: {
        id: `urn:uuid:${blocLink.identifier}`,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: bloc.title,
        description: bloc.summary ?? bloc.title,
        humanCode: bloc.code ?? bloc.id,
        inLanguage: 'fr',
        version: ref.version,
        criteria: { narrative: narrative(ref, bloc) },
        alignment: [
          {
            type: ['Alignment'],
            targetName: bloc.title,
            targetCode: bloc.id,
            targetFramework: ref.title,
            targetType: 'CFItem',
            targetUrl: blocLink.uri,
          },
        ],
        resultDescription: comps.map((comp) => {
          const item = competencyItemLink(ref, bloc, comp.id, comp.label, caseOptions);
          return {
            id: rdId(comp.id),
            type: ['ResultDescription'],
            name: `${bloc.id}.${comp.id} ${comp.label}`,
            resultType: 'RubricCriterionLevel',
            allowedValue: LEVELS.map((l) => l.quality).reverse(),
            rubricCriterionLevel: LEVELS.map((l) => ({
              id: levelId(comp.id, l.key),
              type: ['RubricCriterionLevel'],
              name: l.quality,
              points: String(l.score),
              alignment: [
                {
                  type: ['Alignment'],
                  targetName: l.quality,
                  targetType: 'CFRubricCriterionLevel',
                  targetUrl: caseUri(
                    'CFRubricCriterionLevels',
                    levelUuid(ref, bloc, comp.id, l.key),
                    caseOptions,
                  ),
                },
              ],
            })),
            alignment: [
              {
                type: ['Alignment'],
                targetName: comp.label,
                targetCode: `${bloc.id}.${comp.id}`,
                targetType: 'CFItem',
                targetUrl: item.uri,
              },
            ],
          };
        }),
      },
      result: comps.flatMap((comp) => {
        const value = results[comp.id];
        if (value === undefined) return [];
        const verdict = toResult(value).verdict;
        const level = LEVELS.find((l) => l.key === verdict) ?? LEVELS[1];
        return [
          {
            type: ['Result'],
            resultDescription: rdId(comp.id),
            achievedLevel: levelId(comp.id, level.key),
            value: level.quality,
          },
        ];
      }),
    },
  };
}

/** One credential as written: two-space JSON and a final newline. */
export function badgeJson(badge: ReturnType<typeof buildBadge>): string {
  return JSON.stringify(badge, null, 2) + '\n';
}

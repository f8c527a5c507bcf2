import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { TO_COMPLETE } from '../rules/placeholders.js';
import type { RncpFiche } from './export-reader.js';
import { oneLine, splitCompetencies } from './text.js';

/** What the skeleton is built with besides the fiche. */
export interface SkeletonOptions {
  /** The référentiel id (a slug). */
  readonly id: string;
  readonly lang: Lang;
  /** The export's file name, named in the header comment. */
  readonly exportName: string;
  /** `VERSION_FLUX` of the export. */
  readonly flux: string;
  /** First line of the file, e.g. the `yaml-language-server` comment (without `#`). */
  readonly schemaComment?: string;
}

/** The skeleton's YAML text and what it holds. */
export interface Skeleton {
  readonly text: string;
  readonly blocs: number;
  readonly competencies: number;
  /** Places marked « À COMPLÉTER ». */
  readonly placeholders: number;
}

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const BLOC_CODE = /^RNCP[0-9]{1,6}BC[0-9]{2}$/;

/** A YAML double-quoted scalar (JSON strings are valid YAML 1.2). */
const q = (s: string) => JSON.stringify(s);

/** Wrap a long text into comment lines of about `width` characters. */
function commentLines(indent: string, text: string, width = 96): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `${indent}# ${l}`);
}

/** Identifiers of a bloc's competencies: the fiche's own codes when usable, else C1, C2… */
function competencyIds(codes: readonly (string | undefined)[]): string[] {
  const own =
    codes.every((c) => c !== undefined && ID.test(c)) && new Set(codes).size === codes.length;
  return codes.map((c, i) => (own && c ? c : `C${i + 1}`));
}

/**
 * Build a référentiel skeleton (YAML text) from one fiche of the RNCP export: title, number,
 * level, blocs with their codes and titles, competencies split out of `LISTE_COMPETENCES`, the
 * evaluation modalities text. What the export lacks (activities, criteria, thresholds, the jury
 * rule) is marked « À COMPLÉTER », so the file fails `certif validate` until it is filled in.
 * Pure: same fiche and options, same text.
 */
export function buildSkeleton(fiche: RncpFiche, options: SkeletonOptions): Skeleton {
  const { lang } = options;
  const h = (fr: string, en: string) => pick(lang, fr, en);
  const todo = (fr: string, en: string) => `${TO_COMPLETE} : ${h(fr, en)}`;
  const out: string[] = [];
  let placeholders = 0;
  let competencies = 0;
  const mark = (s: string) => {
    placeholders += 1;
    return q(s);
  };

  if (options.schemaComment) out.push(`#${options.schemaComment}`);
  const state = [
    fiche.state ? `« ${oneLine(fiche.state)} »` : '',
    fiche.active ? h('active', 'active') : h('inactive', 'inactive'),
    fiche.endOfRegistration
      ? h(
          `enregistrée jusqu’au ${oneLine(fiche.endOfRegistration)}`,
          `registered until ${oneLine(fiche.endOfRegistration)}`,
        )
      : '',
    fiche.replacedBy.length > 0
      ? h(
          `remplacée par ${fiche.replacedBy.join(', ')}`,
          `replaced by ${fiche.replacedBy.join(', ')}`,
        )
      : '',
  ].filter(Boolean);
  out.push(
    ...commentLines(
      '',
      h(
        `Squelette de référentiel créé par « certif rncp import » depuis la fiche ${fiche.number} de l’export France Compétences ${options.exportName} (flux ${options.flux || '?'}). Fiche : ${state.join(', ')}.`,
        `Référentiel skeleton made by "certif rncp import" from fiche ${fiche.number} of the France Compétences export ${options.exportName} (flux ${options.flux || '?'}). Fiche: ${state.join(', ')}.`,
      ),
    ),
    ...commentLines(
      '',
      h(
        `L’export ne contient ni les activités, ni les critères d’évaluation, ni les seuils, ni la règle du jury : chaque place marquée « ${TO_COMPLETE} » est à remplir. Tant qu’il en reste, certif validate les signale (referential/to-complete) et aucune session ne peut utiliser ce référentiel.`,
        `The export holds no activities, evaluation criteria, thresholds nor jury rule: every place marked "${TO_COMPLETE}" is to be filled in. While any is left, certif validate reports it (referential/to-complete) and no session can use this référentiel.`,
      ),
    ),
  );
  out.push(`id: ${q(options.id)}`);
  out.push(`version: "1.0.0"`);
  const title = oneLine(fiche.title);
  out.push(
    `title: ${title ? q(title) : mark(todo('intitulé de la certification', 'title of the certification'))}`,
  );
  if (/^RNCP[0-9]{1,6}$/.test(fiche.number)) out.push(`rncp: ${fiche.number}`);
  const level = /^NIV\s*([1-8])$/i.exec(fiche.levelCode)?.[1];
  if (level)
    out.push(
      `level: ${level}${fiche.levelLabel ? `  # ${oneLine(fiche.levelLabel)} (${fiche.levelCode})` : ''}`,
    );
  else
    out.push(
      `# level: ${h('niveau absent de l’export (1 à 8)', 'level missing from the export (1 to 8)')}`,
    );

  placeholders += 1;
  out.push(
    `# ${todo(
      'jury de chaque bloc (jurés, dont indépendants), puis supprimez ce commentaire.',
      'jury of each bloc (jurors, how many independent), then delete this comment.',
    )}`,
  );
  const jury = fiche.juries.find((j) => j.active && oneLine(j.composition) !== '');
  if (jury) {
    const composition = oneLine(jury.composition);
    const shown = composition.length > 400 ? `${composition.slice(0, 399)}…` : composition;
    out.push(
      ...commentLines(
        '',
        h(
          `La fiche décrit le jury ainsi (SI_JURY_${jury.path}) : « ${shown} »`,
          `The fiche describes the jury as (SI_JURY_${jury.path}): "${shown}"`,
        ),
      ),
    );
  }
  out.push('jury:', '  size: 2', '  min_independent: 1');

  out.push('blocs:');
  const blocs =
    fiche.blocs.length > 0
      ? fiche.blocs
      : [{ code: '', title: '', competencies: '', modalities: '' }];
  if (fiche.blocs.length === 0) {
    out.push(
      `  # ${h('La fiche ne liste aucun bloc de compétences.', 'The fiche lists no bloc de compétences.')}`,
    );
  }
  const blocIds = blocs.map(
    (b, i) => /BC([0-9]{2})$/.exec(b.code)?.[0] ?? `BC${String(i + 1).padStart(2, '0')}`,
  );
  const uniqueBlocIds = new Set(blocIds).size === blocIds.length;
  blocs.forEach((bloc, b) => {
    const id = uniqueBlocIds ? (blocIds[b] ?? '') : `BC${String(b + 1).padStart(2, '0')}`;
    out.push(`  - id: ${id}`);
    if (BLOC_CODE.test(bloc.code)) out.push(`    code: ${bloc.code}`);
    else if (bloc.code)
      out.push(
        `    # ${h(
          `code dans l’export, hors du format RNCP…BC.. : ${oneLine(bloc.code)}`,
          `code in the export, not in the RNCP…BC.. format: ${oneLine(bloc.code)}`,
        )}`,
      );
    else if (fiche.blocs.length > 0)
      out.push(
        `    # ${h('code du bloc absent de l’export', 'bloc code missing from the export')}`,
      );
    const blocTitle = oneLine(bloc.title);
    out.push(
      `    title: ${blocTitle ? q(blocTitle) : mark(todo('intitulé du bloc', 'title of the bloc'))}`,
    );
    const list = splitCompetencies(bloc.competencies);
    if (list.preamble) out.push(`    summary: ${q(list.preamble)}`);
    out.push(
      `    # ${h(
        'L’export ne décrit pas les activités : répartissez les compétences entre une ou plusieurs activités.',
        'The export does not describe the activities: share the competencies among one or more activities.',
      )}`,
    );
    out.push('    activities:');
    out.push('      - id: A1');
    out.push(`        title: ${mark(todo('intitulé de l’activité', 'title of the activity'))}`);
    out.push('        competencies:');
    const items = list.items.length > 0 ? list.items : [{ label: '' }];
    const ids = competencyIds(items.map((c) => ('code' in c ? c.code : undefined)));
    items.forEach((c, i) => {
      competencies += c.label ? 1 : 0;
      out.push(`          - id: ${ids[i] ?? `C${i + 1}`}`);
      out.push(
        `            label: ${c.label ? q(c.label) : mark(todo('libellé de la compétence', 'label of the competency'))}`,
      );
      out.push(
        `            threshold: ${mark(todo('seuil attendu (ou supprimez la ligne)', 'expected threshold (or delete the line)'))}`,
      );
    });
    out.push('    evaluation:');
    out.push('      modalities:');
    out.push('        - id: M1');
    const modalities = oneLine(bloc.modalities);
    if (modalities) {
      out.push(
        `          title: ${q(h('Modalités d’évaluation de la fiche RNCP', 'Evaluation modalities of the RNCP fiche'))}`,
      );
      out.push(`          description: ${q(modalities)}`);
    } else {
      out.push(`          title: ${mark(todo('modalité d’évaluation', 'evaluation modality'))}`);
    }
    out.push('      criteria:');
    out.push('        - id: CR1');
    out.push(
      `          label: ${mark(todo('critère d’évaluation du bloc', 'evaluation criterion of the bloc'))}`,
    );
  });
  return {
    text: out.join('\n') + '\n',
    blocs: fiche.blocs.length,
    competencies,
    placeholders,
  };
}

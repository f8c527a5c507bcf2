import path from 'node:path';
import { registerMessages } from '../diagnostics/messages.js';
import { competenciesOf, type Referential, type ValidationRule } from '../model/types.js';
import type { SourceFile } from '../source/parse.js';
import { checkUnique, type RuleContext } from './context.js';
import { checkPlaceholders } from './placeholders.js';

const t = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

registerMessages({
  'referential/duplicate-id': {
    severity: 'error',
    fr: (p) => [
      `Identifiant « ${t(p.id)} » en double parmi ${t(p.whatFr)} (déjà utilisé ligne ${t(p.first)}).`,
      'Donnez à chaque élément un identifiant unique.',
    ],
    en: (p) => [
      `Duplicate id "${t(p.id)}" among ${t(p.whatEn)} (already used on line ${t(p.first)}).`,
      'Give every item a unique id.',
    ],
  },
  'referential/empty-bloc': {
    severity: 'error',
    fr: (p) => [
      `Le bloc ${t(p.bloc)} n’a aucun(e) ${t(p.whatFr)}.`,
      `Ajoutez au moins un(e) ${t(p.whatFr)} au bloc.`,
    ],
    en: (p) => [`Bloc ${t(p.bloc)} has no ${t(p.whatEn)}.`, `Add at least one ${t(p.whatEn)}.`],
  },
  'validation/unknown-competency': {
    severity: 'error',
    fr: (p) => [
      `La règle de validation du bloc ${t(p.bloc)} exige « ${t(p.id)} », qui n’est pas une compétence de ce bloc.`,
      `Compétences du bloc : ${t(p.known)}.`,
    ],
    en: (p) => [
      `The validation rule of bloc ${t(p.bloc)} requires "${t(p.id)}", which is not a competency of this bloc.`,
      `Competencies of the bloc: ${t(p.known)}.`,
    ],
  },
  'validation/unsatisfiable': {
    severity: 'error',
    fr: (p) => [
      `La règle de validation du bloc ${t(p.bloc)} demande ${t(p.needed)} compétences acquises, mais le bloc n’en a que ${t(p.total)}.`,
      'Abaissez le minimum ou utilisez rule: all.',
    ],
    en: (p) => [
      `The validation rule of bloc ${t(p.bloc)} asks for ${t(p.needed)} acquired competencies, but the bloc has only ${t(p.total)}.`,
      'Lower the minimum or use rule: all.',
    ],
  },
  'validation/unused-option': {
    severity: 'warning',
    fr: (p) => [
      `« ${t(p.option)} » n’a pas d’effet avec rule: ${t(p.rule)}.`,
      `Supprimez « ${t(p.option)} » ou changez la règle.`,
    ],
    en: (p) => [
      `"${t(p.option)}" has no effect with rule: ${t(p.rule)}.`,
      `Remove "${t(p.option)}" or change the rule.`,
    ],
  },
  'jury/incoherent-rule': {
    severity: 'error',
    fr: (p) => [
      `Règle de jury incohérente : ${t(p.min)} juré(s) indépendant(s) exigé(s) pour un jury de ${t(p.size)}.`,
      'Il faut 1 ≤ min_independent ≤ size (au moins un juré indépendant, pas plus que de jurés).',
    ],
    en: (p) => [
      `Incoherent jury rule: ${t(p.min)} independent juror(s) required for a jury of ${t(p.size)}.`,
      'It must hold that 1 ≤ min_independent ≤ size.',
    ],
  },
  'referential/duplicate-version': {
    severity: 'error',
    fr: (p) => [
      `Deux fichiers déclarent le référentiel ${t(p.id)} en version ${t(p.version)} : celui-ci et ${t(p.other)}. Une session attachée à cette version ne saurait pas lequel utiliser.`,
      'Supprimez le doublon, ou donnez à la nouvelle édition un numéro de version plus élevé.',
    ],
    en: (p) => [
      `Two files declare référentiel ${t(p.id)} version ${t(p.version)}: this one and ${t(p.other)}. A session pinned to that version could not tell which to use.`,
      'Remove the duplicate, or give the new edition a higher version number.',
    ],
  },
  'referential/no-threshold': {
    severity: 'info',
    fr: (p) => [
      `${t(p.count)} compétence(s) du bloc ${t(p.bloc)} sans seuil (${t(p.ids)}) : la grille affichera les critères du bloc.`,
      'Ajoutez « threshold: … » à une compétence pour afficher son seuil attendu.',
    ],
    en: (p) => [
      `${t(p.count)} competenc(ies) of bloc ${t(p.bloc)} without a threshold (${t(p.ids)}): the grid will show the bloc's criteria.`,
      'Add "threshold: …" to a competency to show its expected threshold.',
    ],
  },
});

function checkValidation(
  ctx: RuleContext,
  source: SourceFile,
  rule: ValidationRule | undefined,
  ids: readonly string[],
  bloc: string,
  pointer: string,
): void {
  if (!rule) return;
  (rule.required ?? []).forEach((id, i) => {
    if (!ids.includes(id)) {
      ctx.report(
        source,
        'validation/unknown-competency',
        { bloc, id, known: ids.join(', ') },
        `${pointer}/required/${i}`,
      );
    }
  });
  if (rule.rule === 'min_count' && rule.min_count !== undefined && rule.min_count > ids.length) {
    ctx.report(
      source,
      'validation/unsatisfiable',
      { bloc, needed: rule.min_count, total: ids.length },
      `${pointer}/min_count`,
    );
  }
  const distinctRequired = new Set(rule.required ?? []).size;
  if (distinctRequired > ids.length) {
    ctx.report(
      source,
      'validation/unsatisfiable',
      { bloc, needed: distinctRequired, total: ids.length },
      `${pointer}/required`,
    );
  }
  for (const option of ['min_count', 'min_ratio'] as const) {
    if (rule[option] !== undefined && rule.rule !== option) {
      ctx.report(
        source,
        'validation/unused-option',
        { option, rule: rule.rule },
        `${pointer}/${option}`,
        {
          atKey: true,
        },
      );
    }
  }
}

function checkJury(
  ctx: RuleContext,
  source: SourceFile,
  jury: { size: number; min_independent: number },
  pointer: string,
): void {
  if (jury.min_independent < 1 || jury.min_independent > jury.size) {
    ctx.report(
      source,
      'jury/incoherent-rule',
      { min: jury.min_independent, size: jury.size },
      `${pointer}/min_independent`,
    );
  }
}

/** Semantic rules of a référentiel that passed its schema. */
export function checkReferential(ctx: RuleContext, source: SourceFile, ref: Referential): void {
  checkPlaceholders(ctx, source, ref);
  checkJury(ctx, source, ref.jury, '/jury');
  checkUnique(ctx, source, ref.blocs, '/blocs', { fr: 'les blocs', en: 'the blocs' });
  ref.blocs.forEach((bloc, b) => {
    const p = `/blocs/${b}`;
    checkUnique(ctx, source, bloc.activities, `${p}/activities`, {
      fr: `les activités du bloc ${bloc.id}`,
      en: `the activities of bloc ${bloc.id}`,
    });
    const all = competenciesOf(bloc);
    // Where each id was first seen, as a pointer: its line is looked up only for a duplicate, so
    // a sound référentiel never needs the YAML tree with positions.
    const seen = new Map<string, string>();
    bloc.activities.forEach((activity, a) => {
      activity.competencies.forEach((c, i) => {
        const firstAt = seen.get(c.id);
        const first = firstAt === undefined ? undefined : ctx.lineOf(source, firstAt);
        if (first !== undefined) {
          ctx.report(
            source,
            'referential/duplicate-id',
            {
              id: c.id,
              whatFr: `les compétences du bloc ${bloc.id}`,
              whatEn: `the competencies of bloc ${bloc.id}`,
              first,
            },
            `${p}/activities/${a}/competencies/${i}/id`,
          );
        } else {
          seen.set(c.id, `${p}/activities/${a}/competencies/${i}/id`);
        }
      });
    });
    checkUnique(ctx, source, bloc.evaluation.criteria, `${p}/evaluation/criteria`, {
      fr: `les critères du bloc ${bloc.id}`,
      en: `the criteria of bloc ${bloc.id}`,
    });
    checkUnique(ctx, source, bloc.evaluation.modalities, `${p}/evaluation/modalities`, {
      fr: `les modalités du bloc ${bloc.id}`,
      en: `the modalities of bloc ${bloc.id}`,
    });
    const empty: [boolean, string, string, string][] = [
      [bloc.activities.length === 0, 'activité', 'activity', `${p}/activities`],
      [
        all.length === 0 && bloc.activities.length > 0,
        'compétence',
        'competency',
        `${p}/activities`,
      ],
      [
        bloc.evaluation.modalities.length === 0,
        'modalité d’évaluation',
        'evaluation modality',
        `${p}/evaluation/modalities`,
      ],
      [
        bloc.evaluation.criteria.length === 0,
        'critère d’évaluation',
        'evaluation criterion',
        `${p}/evaluation/criteria`,
      ],
    ];
    for (const [isEmpty, fr, en, pointer] of empty) {
      if (isEmpty)
        ctx.report(
          source,
          'referential/empty-bloc',
          { bloc: bloc.id, whatFr: fr, whatEn: en },
          pointer,
          { atKey: true },
        );
    }
    const ids = all.map((c) => c.id);
    checkValidation(ctx, source, bloc.validation, ids, bloc.id, `${p}/validation`);
    const without = all.filter((c) => !c.threshold).map((c) => c.id);
    if (without.length > 0) {
      ctx.report(
        source,
        'referential/no-threshold',
        { bloc: bloc.id, count: without.length, ids: compactIds(without) },
        `${p}/id`,
      );
    }
  });
  const fe = ref.final_evaluation;
  if (fe) {
    if (ref.blocs.some((b) => b.id === fe.id)) {
      ctx.report(
        source,
        'referential/duplicate-id',
        {
          id: fe.id,
          whatFr: 'les blocs et l’évaluation finale',
          whatEn: 'the blocs and the final evaluation',
          first: 1,
        },
        '/final_evaluation/id',
      );
    }
    checkUnique(ctx, source, fe.items, '/final_evaluation/items', {
      fr: 'les éléments de l’évaluation finale',
      en: 'the items of the final evaluation',
    });
    if (fe.jury) checkJury(ctx, source, fe.jury, '/final_evaluation/jury');
    checkValidation(
      ctx,
      source,
      fe.validation,
      fe.items.map((i) => i.id),
      fe.id,
      '/final_evaluation/validation',
    );
  }
}

/** A short list of ids: the first five, then an ellipsis. */
function compactIds(ids: readonly string[]): string {
  return ids.length > 5 ? `${ids.slice(0, 5).join(', ')}, …` : ids.join(', ');
}

/**
 * Across the référentiel files of one folder: two files with the same id and version. Reported on
 * each of them, naming the others (which one is the right one is for the certifier to say).
 */
export function checkVersionsUnique(
  ctx: RuleContext,
  files: readonly {
    readonly abs: string;
    readonly source: SourceFile;
    readonly ref: Referential;
  }[],
): void {
  const groups = new Map<string, { source: SourceFile; ref: Referential }[]>();
  for (const f of [...files].sort((a, b) => (a.abs < b.abs ? -1 : a.abs > b.abs ? 1 : 0))) {
    const key = JSON.stringify([path.dirname(f.abs), f.ref.id, f.ref.version]);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    for (const f of group) {
      const other = group
        .filter((g) => g !== f)
        .map((g) => g.source.path)
        .join(', ');
      ctx.report(
        f.source,
        'referential/duplicate-version',
        { id: f.ref.id, version: f.ref.version, other },
        '/version',
      );
    }
  }
}

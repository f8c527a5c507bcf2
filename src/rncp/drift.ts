import { registerMessages } from '../diagnostics/messages.js';
import type { Referential } from '../model/types.js';
import type { RuleContext } from '../rules/context.js';
import type { SourceFile } from '../source/parse.js';
import type { RncpFiche } from './export-reader.js';
import { oneLine } from './text.js';

const t = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

registerMessages({
  'rncp/no-number': {
    severity: 'error',
    fr: () => [
      'Le référentiel ne donne pas son numéro de fiche RNCP.',
      'Ajoutez « rncp: RNCP… » (le numéro de la fiche sur francecompetences.fr).',
    ],
    en: () => [
      'The référentiel does not give its RNCP fiche number.',
      'Add "rncp: RNCP…" (the fiche number on francecompetences.fr).',
    ],
  },
  'rncp/fiche-absent': {
    severity: 'error',
    fr: (p) => [
      `La fiche ${t(p.number)} n’est pas dans l’export ${t(p.export)} (${t(p.count)} fiches lues).`,
      'Vérifiez le numéro, ou prenez un export plus récent (certif rncp list montre les fiches d’un export).',
    ],
    en: (p) => [
      `Fiche ${t(p.number)} is not in the export ${t(p.export)} (${t(p.count)} fiches read).`,
      'Check the number, or use a newer export (certif rncp list shows the fiches of an export).',
    ],
  },
  'rncp/fiche-inactive': {
    severity: 'error',
    fr: (p) => [
      `La fiche ${t(p.number)} n’est plus active${p.end ? ` (fin d’enregistrement : ${t(p.end)})` : ''}.`,
      p.replacedBy
        ? `Elle est remplacée par ${t(p.replacedBy)} : importez-la (certif rncp import … --fiche ${t(p.first)}) et comparez.`
        : 'Aucune session ne devrait délivrer ce titre : vérifiez son enregistrement sur francecompetences.fr.',
    ],
    en: (p) => [
      `Fiche ${t(p.number)} is no longer active${p.end ? ` (registered until ${t(p.end)})` : ''}.`,
      p.replacedBy
        ? `It is replaced by ${t(p.replacedBy)}: import it (certif rncp import … --fiche ${t(p.first)}) and compare.`
        : 'No session should award this title: check its registration on francecompetences.fr.',
    ],
  },
  'rncp/title-changed': {
    severity: 'warning',
    fr: (p) => [
      `L’intitulé diffère de la fiche ${t(p.number)} : « ${t(p.fiche)} ».`,
      'Reprenez l’intitulé enregistré, ou vérifiez qu’il s’agit de la bonne fiche.',
    ],
    en: (p) => [
      `The title differs from fiche ${t(p.number)}: "${t(p.fiche)}".`,
      'Use the registered title, or check that this is the right fiche.',
    ],
  },
  'rncp/level-changed': {
    severity: 'warning',
    fr: (p) => [
      `Niveau ${t(p.ours)} ici, niveau ${t(p.fiche)} dans la fiche ${t(p.number)}.`,
      `Corrigez « level: ${t(p.fiche)} ».`,
    ],
    en: (p) => [
      `Level ${t(p.ours)} here, level ${t(p.fiche)} in fiche ${t(p.number)}.`,
      `Set "level: ${t(p.fiche)}".`,
    ],
  },
  'rncp/bloc-missing': {
    severity: 'error',
    fr: (p) => [
      `Le bloc ${t(p.code)} « ${t(p.title)} » de la fiche manque au référentiel.`,
      `Ajoutez un bloc avec « code: ${t(p.code)} », ou importez la fiche à nouveau (certif rncp import).`,
    ],
    en: (p) => [
      `Bloc ${t(p.code)} "${t(p.title)}" of the fiche is missing from the référentiel.`,
      `Add a bloc with "code: ${t(p.code)}", or import the fiche again (certif rncp import).`,
    ],
  },
  'rncp/bloc-not-in-fiche': {
    severity: 'error',
    fr: (p) => [
      `Le bloc ${t(p.bloc)} (code ${t(p.code)}) n’est pas dans la fiche ${t(p.number)}.`,
      `Blocs de la fiche : ${t(p.known)}. Corrigez le code, ou retirez le bloc s’il a été supprimé.`,
    ],
    en: (p) => [
      `Bloc ${t(p.bloc)} (code ${t(p.code)}) is not in fiche ${t(p.number)}.`,
      `Blocs of the fiche: ${t(p.known)}. Fix the code, or remove the bloc if it was withdrawn.`,
    ],
  },
  'rncp/bloc-title-changed': {
    severity: 'error',
    fr: (p) => [
      `L’intitulé du bloc ${t(p.bloc)} diffère de la fiche (${t(p.code)}) : « ${t(p.fiche)} ».`,
      'Reprenez l’intitulé enregistré : l’attestation doit citer le bloc tel qu’il est enregistré.',
    ],
    en: (p) => [
      `The title of bloc ${t(p.bloc)} differs from the fiche (${t(p.code)}): "${t(p.fiche)}".`,
      'Use the registered title: the attestation must name the bloc as registered.',
    ],
  },
  'rncp/bloc-no-code': {
    severity: 'warning',
    fr: (p) => [
      `Le bloc ${t(p.bloc)} n’a pas de code RNCP${p.guess ? ` ; comparé à ${t(p.guess)}` : ''}.`,
      p.guess
        ? `Ajoutez « code: ${t(p.guess)} ».`
        : 'Ajoutez « code: RNCP…BC… » (le code du bloc dans la fiche).',
    ],
    en: (p) => [
      `Bloc ${t(p.bloc)} has no RNCP code${p.guess ? `; compared with ${t(p.guess)}` : ''}.`,
      p.guess ? `Add "code: ${t(p.guess)}".` : 'Add "code: RNCP…BC…" (the bloc code in the fiche).',
    ],
  },
});

/** Titles compared as a person reads them: case, spacing, apostrophes and a final dot aside. */
export function sameTitle(a: string, b: string): boolean {
  const norm = (s: string) =>
    oneLine(s)
      .replace(/[’‘`´]/g, "'")
      .replace(/[«»“”]/g, '"')
      .replace(/[\s.]+$/u, '')
      .toLocaleLowerCase('fr');
  return norm(a) === norm(b);
}

/**
 * Report drift between a référentiel and its registered fiche: the fiche missing or inactive,
 * the title or level changed, blocs added, removed or reworded (paired by their RNCP code).
 * `fiche` is undefined when the export does not hold the référentiel's number.
 */
export function checkDrift(
  ctx: RuleContext,
  source: SourceFile,
  ref: Referential,
  fiche: RncpFiche | undefined,
  scan: { export: string; count: number },
): void {
  if (!ref.rncp) {
    ctx.report(source, 'rncp/no-number', {}, '/id', { atKey: true });
    return;
  }
  const number = ref.rncp.toUpperCase();
  if (!fiche) {
    ctx.report(
      source,
      'rncp/fiche-absent',
      { number, export: scan.export, count: scan.count },
      '/rncp',
    );
    return;
  }
  if (!fiche.active) {
    ctx.report(
      source,
      'rncp/fiche-inactive',
      {
        number,
        end: fiche.endOfRegistration || undefined,
        replacedBy: fiche.replacedBy.join(', ') || undefined,
        first: fiche.replacedBy[0],
      },
      '/rncp',
    );
  }
  if (fiche.title && !sameTitle(ref.title, fiche.title)) {
    ctx.report(source, 'rncp/title-changed', { number, fiche: oneLine(fiche.title) }, '/title');
  }
  const level = /^NIV\s*([1-8])$/i.exec(fiche.levelCode)?.[1];
  if (level && ref.level !== undefined && ref.level !== Number(level)) {
    ctx.report(source, 'rncp/level-changed', { number, ours: ref.level, fiche: level }, '/level');
  }

  const ficheByCode = new Map(fiche.blocs.filter((b) => b.code).map((b) => [b.code, b]));
  const known = [...ficheByCode.keys()].join(', ') || '—';
  const paired = new Set<string>();
  ref.blocs.forEach((bloc, i) => {
    const p = `/blocs/${i}`;
    let code = bloc.code?.toUpperCase();
    if (!code) {
      const guess = `${number}${bloc.id.toUpperCase()}`;
      const found = ficheByCode.has(guess);
      ctx.report(
        source,
        'rncp/bloc-no-code',
        { bloc: bloc.id, guess: found ? guess : undefined },
        `${p}/id`,
      );
      if (!found) return;
      code = guess;
    }
    const registered = ficheByCode.get(code);
    if (!registered) {
      ctx.report(
        source,
        'rncp/bloc-not-in-fiche',
        { bloc: bloc.id, code, number, known },
        `${p}/code`,
      );
      return;
    }
    paired.add(code);
    if (registered.title && !sameTitle(bloc.title, registered.title)) {
      ctx.report(
        source,
        'rncp/bloc-title-changed',
        { bloc: bloc.id, code, fiche: oneLine(registered.title) },
        `${p}/title`,
      );
    }
  });
  for (const [code, b] of ficheByCode) {
    if (!paired.has(code)) {
      ctx.report(source, 'rncp/bloc-missing', { code, title: oneLine(b.title) }, '/blocs', {
        atKey: true,
      });
    }
  }
}

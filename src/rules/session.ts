import { isCalendarDate } from '../model/dates.js';
import { registerMessages } from '../diagnostics/messages.js';
import type { Session } from '../model/session.js';
import type { GradedUnit, Referential } from '../model/types.js';
import { gradedUnits } from '../model/types.js';
import type { SourceFile } from '../source/parse.js';
import { checkUnique, type RuleContext } from './context.js';
import { encodeSegment } from '../source/locate.js';

const t = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

registerMessages({
  'session/date': {
    severity: 'error',
    fr: (p) => [
      `Date impossible : ${t(p.date)}${p.before ? ` (avant le début de la session, ${t(p.before)})` : ''}.`,
      'Donnez un jour qui existe, au format AAAA-MM-JJ, et une fin qui ne précède pas le début.',
    ],
    en: (p) => [
      `Impossible date: ${t(p.date)}${p.before ? ` (before the session starts, ${t(p.before)})` : ''}.`,
      'Give a day that exists, as YYYY-MM-DD, and an end that does not come before the start.',
    ],
  },
  'session/referential-missing': {
    severity: 'error',
    fr: (p) => [
      `Référentiel ${t(p.id)} version ${t(p.version)} introuvable.`,
      `Placez le fichier du référentiel dans referentials/ (versions disponibles : ${t(p.known)}).`,
    ],
    en: (p) => [
      `Référentiel ${t(p.id)} version ${t(p.version)} not found.`,
      `Put the référentiel file in referentials/ (available versions: ${t(p.known)}).`,
    ],
  },
  'session/referential-changed': {
    severity: 'error',
    fr: (p) => [
      `Le référentiel ${t(p.id)} ${t(p.version)} a changé depuis la création de la session (empreinte ${t(p.actual)} au lieu de ${t(p.expected)}).`,
      'Restaurez le référentiel tel qu’il était (git), ou publiez les changements sous une nouvelle version : une session reste attachée à la version sous laquelle elle se tient.',
    ],
    en: (p) => [
      `Référentiel ${t(p.id)} ${t(p.version)} changed since the session was created (hash ${t(p.actual)} instead of ${t(p.expected)}).`,
      'Restore the référentiel as it was (git), or publish the changes under a new version: a session stays pinned to the version it is held under.',
    ],
  },
  'session/id-mismatch': {
    severity: 'warning',
    fr: (p) => [
      `L’identifiant de session « ${t(p.id)} » diffère du nom de son dossier « ${t(p.folder)} ».`,
      'Donnez le même nom au dossier et à la session.',
    ],
    en: (p) => [
      `Session id "${t(p.id)}" differs from its folder name "${t(p.folder)}".`,
      'Give the folder and the session the same name.',
    ],
  },
  'session/duplicate-id': {
    severity: 'error',
    fr: (p) => [
      `Identifiant « ${t(p.id)} » en double parmi ${t(p.whatFr)} (déjà utilisé ligne ${t(p.first)}).`,
      'Donnez à chacun un identifiant unique.',
    ],
    en: (p) => [
      `Duplicate id "${t(p.id)}" among ${t(p.whatEn)} (already used on line ${t(p.first)}).`,
      'Give each one a unique id.',
    ],
  },
  'jury/unknown-juror': {
    severity: 'error',
    fr: (p) => [
      `Juré inconnu « ${t(p.juror)} ».`,
      `Déclarez-le dans jurors, ou utilisez l’un de : ${t(p.known)}.`,
    ],
    en: (p) => [
      `Unknown juror "${t(p.juror)}".`,
      `Declare it under jurors, or use one of: ${t(p.known)}.`,
    ],
  },
  'jury/unknown-bloc': {
    severity: 'error',
    fr: (p) => [
      `Jury déclaré pour « ${t(p.bloc)} », qui n’est ni un bloc ni l’évaluation finale du référentiel.`,
      `Blocs : ${t(p.known)}.`,
    ],
    en: (p) => [
      `Jury declared for "${t(p.bloc)}", which is neither a bloc nor the final evaluation.`,
      `Blocs: ${t(p.known)}.`,
    ],
  },
  'jury/size': {
    severity: 'error',
    fr: (p) => [
      `Le jury de ${t(p.bloc)} compte ${t(p.count)} juré(s) ; le référentiel en demande ${t(p.size)}.`,
      `Indiquez exactement ${t(p.size)} jurés distincts.`,
    ],
    en: (p) => [
      `The jury of ${t(p.bloc)} has ${t(p.count)} juror(s); the référentiel asks for ${t(p.size)}.`,
      `List exactly ${t(p.size)} distinct jurors.`,
    ],
  },
  'jury/min-independent': {
    severity: 'error',
    fr: (p) => [
      `Le jury de ${t(p.bloc)} n’a que ${t(p.count)} juré(s) indépendant(s) ; il en faut au moins ${t(p.min)}.`,
      'Ajoutez un juré extérieur au centre (independent: true).',
    ],
    en: (p) => [
      `The jury of ${t(p.bloc)} has only ${t(p.count)} independent juror(s); at least ${t(p.min)} needed.`,
      'Add a juror external to the centre (independent: true).',
    ],
  },
  'jury/conflict': {
    severity: 'error',
    fr: (p) => [
      `Le juré ${t(p.juror)} siège au jury de ${t(p.bloc)} mais est en conflit avec le candidat ${t(p.candidate)} (formateur, employeur ou tuteur).`,
      'Changez le jury de ce bloc, ou faites évaluer ce candidat par un autre jury.',
    ],
    en: (p) => [
      `Juror ${t(p.juror)} sits on the jury of ${t(p.bloc)} but has a conflict with candidate ${t(p.candidate)} (trainer, employer or tutor).`,
      'Change the jury of this bloc, or have this candidate judged by another jury.',
    ],
  },
  'jury/missing': {
    severity: 'warning',
    fr: (p) => [
      `Aucun jury pour ${t(p.bloc)}, présenté par ${t(p.count)} candidat(s).`,
      `Ajoutez « ${t(p.bloc)}: [juré1, juré2] » sous juries.`,
    ],
    en: (p) => [
      `No jury for ${t(p.bloc)}, attempted by ${t(p.count)} candidate(s).`,
      `Add "${t(p.bloc)}: [juror1, juror2]" under juries.`,
    ],
  },
  'candidate/unknown-bloc': {
    severity: 'error',
    fr: (p) => [
      `Bloc « ${t(p.bloc)} » inconnu du référentiel.`,
      `Blocs du référentiel : ${t(p.known)}.`,
    ],
    en: (p) => [`Bloc "${t(p.bloc)}" is not in the référentiel.`, `Blocs: ${t(p.known)}.`],
  },
  'candidate/bloc-twice': {
    severity: 'warning',
    fr: (p) => [
      `Le candidat ${t(p.candidate)} présente ${t(p.bloc)}, qu’il a déjà acquis.`,
      'Retirez le bloc de blocs ou de acquired.',
    ],
    en: (p) => [
      `Candidate ${t(p.candidate)} attempts ${t(p.bloc)}, which they already acquired.`,
      'Remove the bloc from blocs or from acquired.',
    ],
  },
});

/** Rules of a session file against its référentiel (`ref` undefined when it was not found). */
export function checkSession(
  ctx: RuleContext,
  source: SourceFile,
  session: Session,
  ref: Referential | undefined,
  folderName: string,
): void {
  if (session.id !== folderName) {
    ctx.report(source, 'session/id-mismatch', { id: session.id, folder: folderName }, '/id');
  }
  const { start, end } = session.dates ?? {};
  if (start !== undefined && !isCalendarDate(start)) {
    ctx.report(source, 'session/date', { date: start }, '/dates/start');
  }
  if (end !== undefined) {
    const early = start !== undefined && isCalendarDate(end) && end < start;
    if (!isCalendarDate(end) || early) {
      ctx.report(
        source,
        'session/date',
        { date: end, before: early ? start : undefined },
        '/dates/end',
      );
    }
  }
  checkUnique(
    ctx,
    source,
    session.jurors,
    '/jurors',
    { fr: 'les jurés', en: 'the jurors' },
    'session/duplicate-id',
  );
  checkUnique(
    ctx,
    source,
    session.candidates,
    '/candidates',
    { fr: 'les candidats', en: 'the candidates' },
    'session/duplicate-id',
  );
  const jurors = new Map(session.jurors.map((j) => [j.id, j]));
  const known = [...jurors.keys()].join(', ') || '—';
  const units: GradedUnit[] = ref ? gradedUnits(ref) : [];
  const unitIds = units.map((u) => u.id);

  for (const [blocId, members] of Object.entries(session.juries)) {
    const p = `/juries/${encodeSegment(blocId)}`;
    const unit = units.find((u) => u.id === blocId);
    if (ref && !unit) {
      ctx.report(source, 'jury/unknown-bloc', { bloc: blocId, known: unitIds.join(', ') }, p, {
        atKey: true,
      });
    }
    members.forEach((m, i) => {
      if (!jurors.has(m))
        ctx.report(source, 'jury/unknown-juror', { juror: m, known }, `${p}/${i}`);
    });
    if (!unit) continue;
    const distinct = [...new Set(members)];
    if (distinct.length !== unit.jury.size) {
      ctx.report(
        source,
        'jury/size',
        { bloc: blocId, count: distinct.length, size: unit.jury.size },
        p,
        { atKey: true },
      );
    }
    const independent = distinct.filter((m) => jurors.get(m)?.independent === true).length;
    if (independent < unit.jury.min_independent) {
      ctx.report(
        source,
        'jury/min-independent',
        { bloc: blocId, count: independent, min: unit.jury.min_independent },
        p,
        { atKey: true },
      );
    }
  }

  const attemptedBy = new Map<string, number>();
  session.candidates.forEach((c, ci) => {
    const p = `/candidates/${ci}`;
    c.blocs.forEach((b, bi) => {
      attemptedBy.set(b, (attemptedBy.get(b) ?? 0) + 1);
      if (ref && !unitIds.includes(b)) {
        ctx.report(
          source,
          'candidate/unknown-bloc',
          { bloc: b, known: unitIds.join(', ') },
          `${p}/blocs/${bi}`,
        );
      }
      const members = session.juries[b] ?? [];
      for (const juror of members) {
        if ((c.conflicts ?? []).includes(juror)) {
          ctx.report(
            source,
            'jury/conflict',
            { juror, bloc: b, candidate: c.id },
            `${p}/conflicts/${(c.conflicts ?? []).indexOf(juror)}`,
          );
        }
      }
    });
    (c.acquired ?? []).forEach((a, ai) => {
      if (ref && !unitIds.includes(a.bloc)) {
        ctx.report(
          source,
          'candidate/unknown-bloc',
          { bloc: a.bloc, known: unitIds.join(', ') },
          `${p}/acquired/${ai}/bloc`,
        );
      }
      if (c.blocs.includes(a.bloc)) {
        ctx.report(
          source,
          'candidate/bloc-twice',
          { candidate: c.id, bloc: a.bloc },
          `${p}/acquired/${ai}/bloc`,
        );
      }
    });
    (c.conflicts ?? []).forEach((j, i) => {
      if (!jurors.has(j))
        ctx.report(source, 'jury/unknown-juror', { juror: j, known }, `${p}/conflicts/${i}`);
    });
  });
  for (const [bloc, count] of attemptedBy) {
    if (!(bloc in session.juries) && (!ref || unitIds.includes(bloc))) {
      ctx.report(source, 'jury/missing', { bloc, count }, '/juries', { atKey: true });
    }
  }
}

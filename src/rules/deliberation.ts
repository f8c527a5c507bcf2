import { isCalendarDate } from '../model/dates.js';
import { registerMessages } from '../diagnostics/messages.js';
import { evaluationsDigest } from '../model/deliberation.js';
import { contentHash } from '../model/hash.js';
import type { Evaluation, Session } from '../model/session.js';
import { encodeSegment } from '../source/locate.js';
import type { SourceFile } from '../source/parse.js';
import type { Deliberation } from '../project/deliberation.js';
import type { RuleContext } from './context.js';

const t = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

registerMessages({
  'deliberation/date': {
    severity: 'error',
    fr: (p) => [
      `Date de clôture impossible : ${t(p.date)}${p.before ? ` (avant le début de la session, ${t(p.before)})` : ''}.`,
      'Restaurez deliberation.yaml (git) : la date est celle du procès-verbal signé.',
    ],
    en: (p) => [
      `Impossible closing date: ${t(p.date)}${p.before ? ` (before the session starts, ${t(p.before)})` : ''}.`,
      'Restore deliberation.yaml (git): the date is that of the signed procès-verbal.',
    ],
  },
  'deliberation/session-mismatch': {
    severity: 'error',
    fr: (p) => [
      `« session: ${t(p.value)} » n’est pas la session du dossier (${t(p.expected)}).`,
      'Corrigez la valeur.',
    ],
    en: (p) => [
      `"session: ${t(p.value)}" is not the folder’s session (${t(p.expected)}).`,
      'Fix the value.',
    ],
  },
  'deliberation/unknown-candidate': {
    severity: 'error',
    fr: (p) => [
      `Candidat « ${t(p.candidate)} » absent de la session.`,
      'Corrigez l’identifiant ou retirez cette entrée.',
    ],
    en: (p) => [
      `Candidate "${t(p.candidate)}" is not in the session.`,
      'Fix the id or remove this entry.',
    ],
  },
  'deliberation/not-attempted': {
    severity: 'error',
    fr: (p) => [
      `${t(p.candidate)} ne présente pas ${t(p.bloc)} à cette session.`,
      `Blocs présentés : ${t(p.known)}.`,
    ],
    en: (p) => [
      `${t(p.candidate)} does not attempt ${t(p.bloc)} in this session.`,
      `Blocs attempted: ${t(p.known)}.`,
    ],
  },
  'deliberation/reason-required': {
    severity: 'error',
    fr: (p) => [
      `Décision de ${t(p.candidate)} sur ${t(p.bloc)} différente de la proposition, sans motif.`,
      'Ajoutez « reason: … » : une décision qui s’écarte de la proposition est motivée.',
    ],
    en: (p) => [
      `Decision for ${t(p.candidate)} on ${t(p.bloc)} differs from the proposal, without a reason.`,
      'Add "reason: …": a decision that departs from the proposal is reasoned.',
    ],
  },
  'deliberation/evaluation-changed': {
    severity: 'error',
    fr: (p) => [
      p.missing
        ? `L’évaluation ${t(p.candidate)} ${t(p.bloc)} a disparu depuis la décision.`
        : `L’évaluation ${t(p.candidate)} ${t(p.bloc)} a changé depuis la décision (empreinte différente).`,
      p.missing
        ? 'Restaurez-la (git) ; sinon la décision doit être revue : enregistrez-la à nouveau avec certif deliberate.'
        : 'La décision doit être revue : enregistrez-la à nouveau avec certif deliberate.',
    ],
    en: (p) => [
      p.missing
        ? `Evaluation ${t(p.candidate)} ${t(p.bloc)} is gone since the decision.`
        : `Evaluation ${t(p.candidate)} ${t(p.bloc)} changed since the decision (different hash).`,
      p.missing
        ? 'Restore it (git); otherwise the decision must be reviewed: record it again with certif deliberate.'
        : 'The decision must be reviewed: record it again with certif deliberate.',
    ],
  },
  'deliberation/decisions-changed': {
    severity: 'error',
    fr: () => [
      'Des décisions ont été modifiées après la clôture de la délibération.',
      'Restaurez deliberation.yaml (git) : le procès-verbal signé fait foi.',
    ],
    en: () => [
      'Decisions were changed after the deliberation was closed.',
      'Restore deliberation.yaml (git): the signed procès-verbal stands.',
    ],
  },
  'deliberation/digest-mismatch': {
    severity: 'error',
    fr: () => [
      'L’empreinte de clôture ne correspond plus aux évaluations finales de la session.',
      'Une évaluation a été modifiée, ajoutée ou retirée après la clôture : restaurez-la (git) ; le procès-verbal signé fait foi.',
    ],
    en: () => [
      'The closing digest no longer matches the session’s final evaluations.',
      'An evaluation was changed, added or removed after closing: restore it (git); the signed procès-verbal stands.',
    ],
  },
});

/**
 * Rules of deliberation.yaml: the session, candidates and blocs it names exist; a decision that
 * departs from the proposal has a reason; decisions and the closing digest still match the final
 * evaluations they relied on.
 */
export function checkDeliberation(
  ctx: RuleContext,
  source: SourceFile,
  d: Deliberation,
  sessionId: string,
  session: Session | undefined,
  evaluations: ReadonlyMap<string, Evaluation>,
  unreadable: ReadonlySet<string> = new Set(),
): void {
  if (d.session !== sessionId) {
    ctx.report(
      source,
      'deliberation/session-mismatch',
      { value: d.session, expected: sessionId },
      '/session',
    );
  }
  for (const [candidateId, entry] of Object.entries(d.candidates)) {
    const p = `/candidates/${encodeSegment(candidateId)}`;
    const candidate = session?.candidates.find((c) => c.id === candidateId);
    if (session && !candidate) {
      ctx.report(source, 'deliberation/unknown-candidate', { candidate: candidateId }, p, {
        atKey: true,
      });
      continue;
    }
    for (const [bloc, decision] of Object.entries(entry.blocs)) {
      const bp = `${p}/blocs/${encodeSegment(bloc)}`;
      if (candidate && !candidate.blocs.includes(bloc)) {
        ctx.report(
          source,
          'deliberation/not-attempted',
          { candidate: candidateId, bloc, known: candidate.blocs.join(', ') },
          bp,
          { atKey: true },
        );
      }
      if (decision.decision !== decision.proposal && !decision.reason?.trim()) {
        ctx.report(
          source,
          'deliberation/reason-required',
          { candidate: candidateId, bloc },
          `${bp}/decision`,
        );
      }
      const current = evaluations.get(`${candidateId}/${bloc}`);
      // A decision taken on a final evaluation that is gone rests on nothing: as stale as one
      // taken on an evaluation that changed. (A file that does not read has its own error.)
      const key = `${candidateId}/${bloc}`;
      if (
        decision.evaluation_hash &&
        current?.hash !== decision.evaluation_hash &&
        !(current === undefined && unreadable.has(key))
      ) {
        ctx.report(
          source,
          'deliberation/evaluation-changed',
          { candidate: candidateId, bloc, missing: current ? undefined : 1 },
          `${bp}/evaluation_hash`,
        );
      }
    }
  }
  if (d.closed?.decisions_hash && contentHash(d.candidates) !== d.closed.decisions_hash) {
    ctx.report(source, 'deliberation/decisions-changed', {}, '/closed/decisions_hash');
  }
  if (d.closed) {
    const start = session?.dates?.start;
    const date = d.closed.date;
    const early = start !== undefined && isCalendarDate(date) && date < start;
    if (!isCalendarDate(date) || early) {
      ctx.report(
        source,
        'deliberation/date',
        { date, before: early ? start : undefined },
        '/closed/date',
      );
    }
    const finals = [...evaluations.entries()]
      .filter(([, e]) => e.status === 'final' && e.hash)
      .map(([key, e]) => ({ key, hash: e.hash ?? '' }));
    if (evaluationsDigest(finals) !== d.closed.digest) {
      ctx.report(source, 'deliberation/digest-mismatch', {}, '/closed/digest');
    }
  }
}

import { registerMessages } from '../diagnostics/messages.js';
import { entryHash } from '../model/evaluation-hash.js';
import { toResult, type Entry, type Evaluation, type Session } from '../model/session.js';
import { competenciesOf, gradedUnits, type Referential, type Verdict } from '../model/types.js';
import { encodeSegment } from '../source/locate.js';
import type { SourceFile } from '../source/parse.js';
import type { RuleContext } from './context.js';
import { observationRequired } from './evaluation.js';

const t = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

registerMessages({
  'double-marking/path-mismatch': {
    severity: 'error',
    fr: (p) => [
      `« ${t(p.field)}: ${t(p.value)} » ne correspond pas à l’emplacement de la saisie (attendu : ${t(p.expected)}).`,
      'Une saisie est sessions/<session>/entries/<candidat>/<bloc>/<juré>.yaml : corrigez la valeur ou déplacez le fichier.',
    ],
    en: (p) => [
      `"${t(p.field)}: ${t(p.value)}" does not match where the entry is (expected: ${t(p.expected)}).`,
      'An entry is sessions/<session>/entries/<candidate>/<bloc>/<juror>.yaml: fix the value or move the file.',
    ],
  },
  'double-marking/not-blind': {
    severity: 'error',
    fr: () => [
      'Saisie individuelle dans une session sans double correction à l’aveugle.',
      'Ajoutez « double_marking: blind » à session.yaml, ou supprimez ce dossier entries/.',
    ],
    en: () => [
      'Individual entry in a session without blind double marking.',
      'Add "double_marking: blind" to session.yaml, or remove this entries/ folder.',
    ],
  },
  'double-marking/juror-not-on-jury': {
    severity: 'error',
    fr: (p) => [
      `Le juré ${t(p.juror)} ne siège pas au jury de ${t(p.bloc)} (${t(p.jury)}).`,
      'Seuls les jurés du jury du bloc saisissent : corrigez le jury dans session.yaml ou retirez cette saisie.',
    ],
    en: (p) => [
      `Juror ${t(p.juror)} does not sit on the jury of ${t(p.bloc)} (${t(p.jury)}).`,
      'Only the jurors of the bloc’s jury record entries: fix the jury in session.yaml or remove this entry.',
    ],
  },
  'double-marking/unknown-candidate': {
    severity: 'error',
    fr: (p) => [
      `Candidat « ${t(p.candidate)} » absent de la session, ou ne présentant pas ${t(p.bloc)}.`,
      'Corrigez l’identifiant ou les blocs du candidat dans session.yaml.',
    ],
    en: (p) => [
      `Candidate "${t(p.candidate)}" is not in the session, or does not attempt ${t(p.bloc)}.`,
      'Fix the id or the candidate’s blocs in session.yaml.',
    ],
  },
  'double-marking/unknown-competency': {
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
  'double-marking/observation-required': {
    severity: 'error',
    fr: (p) => [
      `${t(p.competency)} est jugée Non acquis sans observation.`,
      'Ajoutez l’observation du juré (ce qui manquait au regard du seuil attendu).',
    ],
    en: (p) => [
      `${t(p.competency)} is judged Non acquis without an observation.`,
      'Add the juror’s observation (what was missing against the expected threshold).',
    ],
  },
  'double-marking/incomplete-submitted': {
    severity: 'error',
    fr: (p) => [
      `Saisie soumise incomplète : ${t(p.count)} compétence(s) sans résultat (${t(p.missing)}).`,
      'Une saisie n’est soumise que lorsque toutes les compétences sont jugées.',
    ],
    en: (p) => [
      `Submitted entry is incomplete: ${t(p.count)} competenc(ies) without a result (${t(p.missing)}).`,
      'An entry is submitted only when every competency is judged.',
    ],
  },
  'double-marking/unsigned-submitted': {
    severity: 'error',
    fr: () => [
      'Saisie « submitted » sans soumission enregistrée (submitted_at, hash).',
      'Soumettez avec certif grade … --juror <juré> --submit, ou remettez status: draft.',
    ],
    en: () => [
      'Entry marked "submitted" without a recorded submission (submitted_at, hash).',
      'Submit with certif grade … --juror <juror> --submit, or set status: draft.',
    ],
  },
  'double-marking/status-edited': {
    severity: 'error',
    fr: () => [
      'Saisie soumise remise en brouillon à la main (elle porte encore submitted_at ou hash).',
      'Remettez status: submitted (git) : une saisie soumise est définitive.',
    ],
    en: () => [
      'Submitted entry set back to draft by hand (it still carries submitted_at or hash).',
      'Set status: submitted again (git): a submitted entry is final.',
    ],
  },
  'double-marking/entry-tampered': {
    severity: 'error',
    fr: () => [
      'Saisie soumise modifiée à la main : son contenu ne correspond plus à son empreinte.',
      'Restaurez le fichier (git) : une saisie soumise ne se modifie plus ; le jury tranche les écarts avec certif reconcile.',
    ],
    en: () => [
      'Submitted entry edited by hand: its content no longer matches its hash.',
      'Restore the file (git): a submitted entry is no longer changed; the jury settles differences with certif reconcile.',
    ],
  },
  'double-marking/unreconciled': {
    severity: 'error',
    fr: () => [
      'Évaluation d’une session en double correction à l’aveugle qui n’est pas issue d’un rapprochement (pas de liste entries).',
      'Chaque juré saisit avec certif grade … --juror <juré> --submit, puis le jury lance certif reconcile <candidat> <bloc>.',
    ],
    en: () => [
      'Evaluation of a blind double-marked session that does not come from a reconciliation (no entries list).',
      'Each juror records with certif grade … --juror <juror> --submit, then the jury runs certif reconcile <candidate> <bloc>.',
    ],
  },
  'double-marking/entry-missing': {
    severity: 'error',
    fr: (p) => [
      `L’évaluation s’appuie sur la saisie de ${t(p.juror)}, absente, illisible ou non soumise (${t(p.file)}).`,
      'Restaurez la saisie (git) ; l’évaluation commune n’est construite que sur des saisies soumises.',
    ],
    en: (p) => [
      `The evaluation relies on the entry of ${t(p.juror)}, which is missing, unreadable or not submitted (${t(p.file)}).`,
      'Restore the entry (git); the joint evaluation is built only on submitted entries.',
    ],
  },
  'double-marking/entries-mismatch': {
    severity: 'error',
    fr: (p) => [
      `L’évaluation lie les saisies de ${t(p.actual)}, pas celles du jury de ${t(p.bloc)} (${t(p.expected)}).`,
      'Relancez certif reconcile sur les saisies des jurés du bloc.',
    ],
    en: (p) => [
      `The evaluation binds the entries of ${t(p.actual)}, not those of the jury of ${t(p.bloc)} (${t(p.expected)}).`,
      'Run certif reconcile again on the entries of the bloc’s jurors.',
    ],
  },
  'double-marking/entry-hash-mismatch': {
    severity: 'error',
    fr: (p) => [
      `L’empreinte de la saisie de ${t(p.juror)} ne correspond plus à celle liée par l’évaluation.`,
      'La saisie a changé depuis le rapprochement : restaurez-la (git).',
    ],
    en: (p) => [
      `The hash of ${t(p.juror)}’s entry no longer matches the one bound by the evaluation.`,
      'The entry changed since the reconciliation: restore it (git).',
    ],
  },
  'double-marking/reconciliation-missing': {
    severity: 'error',
    fr: (p) => [
      `Les saisies diffèrent sur ${t(p.competency)} (${t(p.values)}) mais la décision commune du jury n’est pas enregistrée.`,
      `Enregistrez-la : certif reconcile <candidat> <bloc> --decision ${t(p.competency)}=acquis --reason ${t(p.competency)}="…".`,
    ],
    en: (p) => [
      `The entries differ on ${t(p.competency)} (${t(p.values)}) but the jury’s joint decision is not recorded.`,
      `Record it: certif reconcile <candidate> <bloc> --decision ${t(p.competency)}=acquis --reason ${t(p.competency)}="…".`,
    ],
  },
  'double-marking/reconciliation-extra': {
    severity: 'error',
    fr: (p) => [
      `Décision de rapprochement sur ${t(p.competency)}, où les saisies des jurés concordent.`,
      'Retirez-la : seules les compétences où les saisies diffèrent se rapprochent.',
    ],
    en: (p) => [
      `Reconciliation decision on ${t(p.competency)}, where the jurors’ entries agree.`,
      'Remove it: only competencies where the entries differ are reconciled.',
    ],
  },
  'double-marking/reconciliation-entries': {
    severity: 'error',
    fr: (p) => [
      `Les verdicts rappelés pour ${t(p.competency)} (${t(p.actual)}) ne sont pas ceux des saisies (${t(p.expected)}).`,
      'Relancez certif reconcile : il recopie les verdicts des saisies.',
    ],
    en: (p) => [
      `The verdicts recorded for ${t(p.competency)} (${t(p.actual)}) are not those of the entries (${t(p.expected)}).`,
      'Run certif reconcile again: it copies the entries’ verdicts.',
    ],
  },
  'double-marking/decision-not-applied': {
    severity: 'error',
    fr: (p) => [
      `Le résultat de ${t(p.competency)} (${t(p.actual)}) n’est pas la décision commune du jury (${t(p.expected)}).`,
      'Le résultat d’une compétence rapprochée est la décision du jury ; une correction après finalisation passe par certif amend.',
    ],
    en: (p) => [
      `The result of ${t(p.competency)} (${t(p.actual)}) is not the jury’s joint decision (${t(p.expected)}).`,
      'The result of a reconciled competency is the jury’s decision; a correction after finalising goes through certif amend.',
    ],
  },
  'double-marking/agreed-changed': {
    severity: 'error',
    fr: (p) => [
      `Les deux jurés ont jugé ${t(p.competency)} ${t(p.expected)}, mais l’évaluation porte ${t(p.actual)}.`,
      'Un verdict sur lequel les jurés s’accordent est repris tel quel ; une correction après finalisation passe par certif amend.',
    ],
    en: (p) => [
      `Both jurors judged ${t(p.competency)} ${t(p.expected)}, but the evaluation holds ${t(p.actual)}.`,
      'A verdict the jurors agree on is carried over as is; a correction after finalising goes through certif amend.',
    ],
  },
});

/** Where an entry file sits: session, candidate, unit and juror from its path. */
export interface EntryPlace {
  readonly session: string;
  readonly candidate: string;
  readonly bloc: string;
  readonly juror: string;
}

/** Rules of one juror's entry against its place, session and référentiel. */
export function checkEntry(
  ctx: RuleContext,
  source: SourceFile,
  e: Entry,
  place: EntryPlace,
  session: Session | undefined,
  ref: Referential | undefined,
): void {
  for (const field of ['candidate', 'bloc', 'juror'] as const) {
    if (e[field] !== place[field]) {
      ctx.report(
        source,
        'double-marking/path-mismatch',
        { field, value: e[field], expected: place[field] },
        `/${field}`,
      );
    }
  }
  if (e.status === 'draft' && (e.hash !== undefined || e.submitted_at !== undefined)) {
    ctx.report(source, 'double-marking/status-edited', {}, '/status');
  }
  if (e.status === 'submitted') {
    if (!e.hash || !e.submitted_at) {
      ctx.report(source, 'double-marking/unsigned-submitted', {}, '/status');
    } else if (entryHash(e) !== e.hash) {
      ctx.report(source, 'double-marking/entry-tampered', {}, '/hash');
    }
  }
  if (!session) return;
  if (session.double_marking !== 'blind') {
    ctx.report(source, 'double-marking/not-blind', {}, '/juror');
  }
  const candidate = session.candidates.find((c) => c.id === e.candidate);
  if (!candidate || !candidate.blocs.includes(e.bloc)) {
    ctx.report(
      source,
      'double-marking/unknown-candidate',
      { candidate: e.candidate, bloc: e.bloc },
      '/candidate',
    );
  }
  const jury = session.juries[e.bloc] ?? [];
  if (!jury.includes(e.juror)) {
    ctx.report(
      source,
      'double-marking/juror-not-on-jury',
      { juror: e.juror, bloc: e.bloc, jury: jury.join(', ') || '—' },
      '/juror',
    );
  }
  if (!ref) return;
  const unit = gradedUnits(ref).find((u) => u.id === e.bloc);
  if (!unit) return;
  const ids = competenciesOf(unit).map((c) => c.id);
  for (const [id, value] of Object.entries(e.results)) {
    const pointer = `/results/${encodeSegment(id)}`;
    if (!ids.includes(id)) {
      ctx.report(
        source,
        'double-marking/unknown-competency',
        { competency: id, bloc: e.bloc, known: ids.join(', ') },
        pointer,
        { atKey: true },
      );
      continue;
    }
    const r = toResult(value);
    if (!r.observation && observationRequired(ref, r.verdict)) {
      ctx.report(
        source,
        'double-marking/observation-required',
        { competency: `${e.bloc}.${id}` },
        pointer,
        { atKey: true, severity: e.status === 'submitted' ? 'error' : 'warning' },
      );
    }
  }
  if (e.status === 'submitted') {
    const missing = ids.filter((id) => !(id in e.results));
    if (missing.length > 0) {
      ctx.report(
        source,
        'double-marking/incomplete-submitted',
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

/** Is an entry submitted, with a hash that matches its content? */
export function isSoundSubmitted(e: Entry | undefined): e is Entry & { hash: string } {
  return e?.status === 'submitted' && e.hash !== undefined && entryHash(e) === e.hash;
}

/**
 * The competencies where the submitted entries differ, in the order given, each with every
 * juror's verdict (jurors in id order).
 */
export function differences(
  ids: readonly string[],
  entries: ReadonlyMap<string, Entry>,
): { competency: string; entries: Record<string, Verdict> }[] {
  const jurors = [...entries.keys()].sort();
  const out: { competency: string; entries: Record<string, Verdict> }[] = [];
  for (const id of ids) {
    const values: Record<string, Verdict> = {};
    for (const j of jurors) {
      const v = entries.get(j)?.results[id];
      if (v !== undefined) values[j] = toResult(v).verdict;
    }
    if (new Set(Object.values(values)).size > 1) out.push({ competency: id, entries: values });
  }
  return out;
}

/** An entry as read for the cross-file check: its value when sound, and where it is. */
export interface ReadEntry {
  readonly display: string;
  readonly value?: Entry;
}

/**
 * A joint evaluation of a blind double-marked session against the entries of its jury: it binds
 * exactly those submitted entries by hash, reconciles exactly the competencies where they differ,
 * and carries over the verdicts they agree on.
 */
export function checkReconciled(
  ctx: RuleContext,
  source: SourceFile,
  e: Evaluation,
  session: Session,
  ref: Referential | undefined,
  entries: ReadonlyMap<string, ReadEntry>,
): void {
  if (session.double_marking !== 'blind') return;
  if (!e.entries) {
    ctx.report(source, 'double-marking/unreconciled', {}, '/status');
    return;
  }
  const jury = [...(session.juries[e.bloc] ?? [])].sort();
  const bound = e.entries.map((b) => b.juror).sort();
  if (bound.join(',') !== jury.join(',')) {
    ctx.report(
      source,
      'double-marking/entries-mismatch',
      { bloc: e.bloc, actual: bound.join(', '), expected: jury.join(', ') },
      '/entries',
    );
  }
  const sound = new Map<string, Entry>();
  e.entries.forEach((b, i) => {
    const read = entries.get(b.juror);
    const value = read?.value;
    if (value?.status === 'submitted' && value.hash !== undefined && !isSoundSubmitted(value)) {
      // Edited after submission: its own file says so (entry-tampered); here, the broken binding.
      ctx.report(
        source,
        'double-marking/entry-hash-mismatch',
        { juror: b.juror },
        `/entries/${i}/hash`,
      );
      return;
    }
    if (!isSoundSubmitted(value)) {
      ctx.report(
        source,
        'double-marking/entry-missing',
        { juror: b.juror, file: read?.display ?? '—' },
        `/entries/${i}`,
      );
      return;
    }
    if (value.hash !== b.hash) {
      ctx.report(
        source,
        'double-marking/entry-hash-mismatch',
        { juror: b.juror },
        `/entries/${i}/hash`,
      );
      return;
    }
    sound.set(b.juror, value);
  });
  if (sound.size !== e.entries.length || sound.size === 0) return;
  const unit = ref ? gradedUnits(ref).find((u) => u.id === e.bloc) : undefined;
  const ids = unit
    ? competenciesOf(unit).map((c) => c.id)
    : [...new Set([...sound.values()].flatMap((x) => Object.keys(x.results)))];
  const differing = new Map(differences(ids, sound).map((d) => [d.competency, d.entries]));
  const reconciled = e.reconciliation ?? [];
  const seen = new Set<string>();
  reconciled.forEach((r, i) => {
    seen.add(r.competency);
    const expected = differing.get(r.competency);
    if (!expected) {
      ctx.report(
        source,
        'double-marking/reconciliation-extra',
        { competency: r.competency },
        `/reconciliation/${i}`,
      );
      return;
    }
    const show = (m: Readonly<Record<string, Verdict>>) =>
      Object.keys(m)
        .sort()
        .map((j) => `${j}: ${m[j] ?? ''}`)
        .join(', ');
    if (show(r.entries) !== show(expected)) {
      ctx.report(
        source,
        'double-marking/reconciliation-entries',
        { competency: r.competency, actual: show(r.entries), expected: show(expected) },
        `/reconciliation/${i}/entries`,
      );
    }
    const result = e.results[r.competency];
    const actual = result === undefined ? '—' : toResult(result).verdict;
    // After finalising, an amendment may legitimately change a reconciled result.
    const amended = (e.amendments ?? []).some((a) => a.competency === r.competency);
    if (actual !== r.decision && !amended) {
      ctx.report(
        source,
        'double-marking/decision-not-applied',
        { competency: r.competency, actual, expected: r.decision },
        `/results/${encodeSegment(r.competency)}`,
        { atKey: true },
      );
    }
  });
  for (const [competency, values] of differing) {
    if (seen.has(competency)) continue;
    ctx.report(
      source,
      'double-marking/reconciliation-missing',
      {
        competency,
        values: Object.entries(values)
          .map(([j, v]) => `${j}: ${v}`)
          .join(', '),
      },
      '/reconciliation',
      { atKey: e.reconciliation === undefined ? false : true },
    );
  }
  const first = [...sound.values()][0];
  if (!first) return;
  const amendedIds = new Set((e.amendments ?? []).map((a) => a.competency));
  for (const id of ids) {
    if (differing.has(id) || amendedIds.has(id)) continue;
    const agreed = first.results[id];
    if (agreed === undefined) continue;
    const expected = toResult(agreed).verdict;
    const result = e.results[id];
    const actual = result === undefined ? '—' : toResult(result).verdict;
    if (actual !== expected) {
      ctx.report(
        source,
        'double-marking/agreed-changed',
        { competency: id, expected, actual },
        result === undefined ? '/results' : `/results/${encodeSegment(id)}`,
        { atKey: true },
      );
    }
  }
}

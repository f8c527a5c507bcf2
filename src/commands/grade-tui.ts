import { emitKeypressEvents } from 'node:readline';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Io } from '../cli/io.js';
import { InputError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { fullName, type Candidate, type Result } from '../model/session.js';
import type { GradedUnit } from '../model/types.js';
import { EvaluationHandle, evaluationPath } from '../project/evaluation-store.js';
import { displayPath, pathKind } from '../project/files.js';
import { findCandidate, findUnit, type SessionContext } from '../project/session.js';
import { observationRequired } from '../rules/evaluation.js';
import { checkComplete, checkSigners, juryOf, proposalText } from './grade.js';

/** A key as readline reports it. */
interface Key {
  readonly name?: string;
  readonly sequence?: string;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
}

const segmenter = new Intl.Segmenter('fr', { granularity: 'grapheme' });

/** The characters a person sees (accents with combining marks stay whole). */
function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

/** Ctrl-C (or Ctrl-D) from the juror: stop at once, everything given so far is on disk. */
class Interrupted extends Error {}

/** Keys in, screens out; raw mode on a TTY. */
class Terminal {
  private queue: { str: string | undefined; key: Key }[] = [];
  private waiting: (() => void) | undefined;
  private readonly onKey = (str: string | undefined, key: Key | undefined) => {
    this.queue.push({ str, key: key ?? { sequence: str } });
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  };

  constructor(private readonly io: Io) {
    emitKeypressEvents(io.stdin);
    io.stdin.setRawMode?.(true);
    io.stdin.on('keypress', this.onKey);
    io.stdin.resume();
  }

  close(): void {
    this.io.stdin.off('keypress', this.onKey);
    this.io.stdin.setRawMode?.(false);
    this.io.stdin.pause();
  }

  write(s: string): void {
    this.io.stdout.write(s);
  }

  /** Clear the screen and draw lines. */
  screen(lines: readonly string[]): void {
    this.write('\x1b[2J\x1b[H' + lines.join('\n') + '\n');
  }

  async key(): Promise<{ str: string | undefined; key: Key }> {
    while (this.queue.length === 0) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    const next = this.queue.shift() as { str: string | undefined; key: Key };
    if (next.key.ctrl && (next.key.name === 'c' || next.key.name === 'd')) throw new Interrupted();
    return next;
  }

  /** Read a line of text (observation, juror id); undefined on Escape. */
  async line(prompt: string, initial = ''): Promise<string | undefined> {
    let text = graphemes(initial);
    this.write(`${prompt}${initial}`);
    for (;;) {
      const { str, key } = await this.key();
      if (key.name === 'return' || key.name === 'enter') {
        this.write('\n');
        return text.join('').trim();
      }
      if (key.name === 'escape') {
        this.write('\n');
        return undefined;
      }
      if (key.name === 'backspace') {
        if (text.length > 0) {
          text = text.slice(0, -1);
          this.write('\b \b');
        }
        continue;
      }
      if (key.ctrl && key.name === 'u') {
        this.write('\b \b'.repeat(text.length));
        text = [];
        continue;
      }
      if (str && !key.ctrl && !key.meta && str >= ' ' && !str.startsWith('\x1b')) {
        text.push(...graphemes(str));
        this.write(str);
      }
    }
  }
}

/** Type-to-filter list; Enter picks the highlighted entry. */
async function choose<T>(
  term: Terminal,
  title: string,
  items: readonly T[],
  label: (item: T) => string,
  lang: Lang,
  c: ChalkInstance,
): Promise<T> {
  let filter = '';
  let index = 0;
  for (;;) {
    const matches = items.filter((i) => label(i).toLowerCase().includes(filter.toLowerCase()));
    index = Math.max(0, Math.min(index, matches.length - 1));
    term.screen([
      c.bold(title),
      pick(
        lang,
        `Filtre : ${filter}▏   (tapez pour filtrer, ↑↓ pour choisir, Entrée pour valider)`,
        `Filter: ${filter}▏   (type to filter, ↑↓ to move, Enter to pick)`,
      ),
      '',
      ...matches
        .slice(0, 15)
        .map((m, i) => (i === index ? c.inverse(`› ${label(m)}`) : `  ${label(m)}`)),
      ...(matches.length > 15
        ? [c.dim(pick(lang, `… ${matches.length - 15} de plus`, `… ${matches.length - 15} more`))]
        : []),
      ...(matches.length === 0 ? [c.yellow(pick(lang, 'Aucun résultat.', 'No match.'))] : []),
    ]);
    const { str, key } = await term.key();
    if (key.name === 'up') index -= 1;
    else if (key.name === 'down') index += 1;
    else if (key.name === 'return' || key.name === 'enter') {
      const chosen = matches[index];
      if (chosen !== undefined) return chosen;
    } else if (key.name === 'backspace') filter = filter.slice(0, -1);
    else if (str && !key.ctrl && str >= ' ' && !str.startsWith('\x1b')) {
      filter += str;
      index = 0;
    }
  }
}

async function unitStatus(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
  lang: Lang,
): Promise<string> {
  const file = evaluationPath(ctx, candidate.id, unit.id);
  if ((await pathKind(file)) === 'missing') return pick(lang, 'non commencé', 'not started');
  return pick(lang, 'en cours ou finalisé', 'in progress or final');
}

/** The interactive grading session. */
export async function interactiveGrade(
  ctx: SessionContext,
  candidateId: string | undefined,
  unitId: string | undefined,
  io: Io,
): Promise<number> {
  const { lang } = ctx;
  const c = new Chalk({ level: io.env.NO_COLOR ? 0 : 1 });
  const term = new Terminal(io);
  let handle: EvaluationHandle | undefined;
  try {
    const candidate = candidateId
      ? findCandidate(ctx, candidateId)
      : await choose(
          term,
          pick(lang, 'Candidat', 'Candidate'),
          ctx.session.candidates,
          (x) => `${x.id}  ${fullName(x)}  (${x.blocs.join(' ')})`,
          lang,
          c,
        );
    let unit: GradedUnit;
    if (unitId) unit = findUnit(ctx, candidate, unitId);
    else {
      const attempted = ctx.units.filter((u) => candidate.blocs.includes(u.id));
      if (attempted.length === 0)
        throw new UsageError(
          pick(
            lang,
            `${candidate.id} ne présente aucun bloc.`,
            `${candidate.id} attempts no bloc.`,
          ),
        );
      const statuses = new Map<string, string>();
      for (const u of attempted) statuses.set(u.id, await unitStatus(ctx, candidate, u, lang));
      unit = await choose(
        term,
        pick(lang, `Bloc — ${fullName(candidate)}`, `Bloc — ${fullName(candidate)}`),
        attempted,
        (u) => `${u.id}  ${u.title}  [${statuses.get(u.id) ?? ''}]`,
        lang,
        c,
      );
    }
    const jury = juryOf(ctx, unit);
    handle = await EvaluationHandle.open(
      ctx,
      candidate,
      unit,
      `certif grade (${jury.join(', ')})`,
      io.now(),
    );
    if (handle.isFinal) {
      term.screen([
        c.yellow(
          pick(
            lang,
            `L’évaluation ${candidate.id} ${unit.id} est finalisée : elle ne se modifie plus.`,
            `Evaluation ${candidate.id} ${unit.id} is final: it is no longer edited.`,
          ),
        ),
        pick(
          lang,
          `Pour corriger : certif amend ${candidate.id} ${unit.id} --set C1=acquis --reason "…" --by <juré>`,
          `To correct it: certif amend ${candidate.id} ${unit.id} --set C1=acquis --reason "…" --by <juror>`,
        ),
      ]);
      return 0;
    }
    return await walk(ctx, term, handle, candidate, unit, jury, io, c);
  } catch (error) {
    if (error instanceof Interrupted) {
      const answered = handle ? Object.keys(handle.results()).length : 0;
      term.write('\n');
      io.stderr.write(
        handle
          ? pick(
              lang,
              `Saisie interrompue. ${answered}/${handle.competencyIds.length} réponse(s) enregistrée(s) dans ${displayPath(handle.file, io.cwd)} ; relancez certif grade pour reprendre.\n`,
              `Grading interrupted. ${answered}/${handle.competencyIds.length} answer(s) saved in ${displayPath(handle.file, io.cwd)}; run certif grade again to resume.\n`,
            )
          : pick(
              lang,
              'Saisie interrompue, rien n’a été enregistré.\n',
              'Grading interrupted, nothing was recorded.\n',
            ),
      );
      return 130;
    }
    throw error;
  } finally {
    term.close();
    await handle?.close();
  }
}

async function walk(
  ctx: SessionContext,
  term: Terminal,
  handle: EvaluationHandle,
  candidate: Candidate,
  unit: GradedUnit,
  jury: readonly string[],
  io: Io,
  c: ChalkInstance,
): Promise<number> {
  const { lang } = ctx;
  const items = unit.activities.flatMap((a) =>
    a.competencies.map((comp) => ({ activity: a, comp })),
  );
  const jurors = jury.map((id) => {
    const j = ctx.session.jurors.find((x) => x.id === id);
    return `${j?.name ?? id}${j?.independent ? pick(lang, ' (indépendant·e)', ' (independent)') : ''}`;
  });
  const header = () => {
    const results = handle.results();
    return [
      c.bold(`certif — ${ctx.session.id}`) + c.dim(`  ${ctx.ref.id} ${ctx.ref.version}`),
      `${pick(lang, 'Candidat', 'Candidate')} : ${c.bold(fullName(candidate))} (${candidate.id})` +
        ((candidate.accommodations ?? []).length > 0
          ? ` · ${pick(lang, 'Aménagements', 'Accommodations')} : ${c.yellow((candidate.accommodations ?? []).join(', '))}`
          : ''),
      `${unit.id} — ${unit.title}`,
      `${pick(lang, 'Jury', 'Jury')} : ${jurors.join(', ')}`,
      c.dim(
        `${pick(lang, 'Réponses', 'Answers')} : ${Object.keys(results).length}/${items.length}`,
      ),
      c.dim('─'.repeat(60)),
    ];
  };
  const firstUnanswered = () => {
    const results = handle.results();
    const i = items.findIndex((it) => !(it.comp.id in results));
    return i < 0 ? items.length : i;
  };
  let index = firstUnanswered();
  let notice =
    index > 0 && index < items.length
      ? c.cyan(
          pick(
            lang,
            `Reprise à la première compétence sans réponse (${index + 1}/${items.length}).`,
            `Resuming at the first unanswered competency (${index + 1}/${items.length}).`,
          ),
        )
      : '';
  for (;;) {
    if (index >= items.length) {
      const done = await summary(ctx, term, handle, unit, header, c, io.now);
      if (done !== undefined) return done;
      index = firstUnanswered();
      if (index >= items.length) index = items.length - 1;
      continue;
    }
    const item = items[index];
    if (!item) return 0;
    const current: Result | undefined = handle.results()[item.comp.id];
    const guidance = item.comp.threshold
      ? [`${pick(lang, 'Seuil attendu', 'Expected threshold')} : ${item.comp.threshold}`]
      : unit.criteria.length > 0
        ? [
            pick(lang, 'Critères du bloc :', 'Criteria of the bloc:'),
            ...unit.criteria.map((cr) => c.dim(`  • ${cr.label}`)),
          ]
        : [];
    term.screen([
      ...header(),
      c.dim(`${pick(lang, 'Activité', 'Activity')} ${item.activity.id} — ${item.activity.title}`),
      `${c.bold(`[${index + 1}/${items.length}] ${unit.id}.${item.comp.id}`)} — ${item.comp.label}`,
      ...guidance,
      '',
      `${pick(lang, 'Réponse', 'Answer')} : ${current ? (current.verdict === 'acquis' ? c.green('Acquis') : c.red('Non acquis')) : c.dim(pick(lang, '(aucune)', '(none)'))}${current?.observation ? ` — ${current.observation}` : ''}`,
      ...(notice ? [notice] : []),
      c.dim('─'.repeat(60)),
      pick(
        lang,
        '[a] Acquis   [n] Non acquis   [o] observation   [←/p] précédente   [→/s] passer   [q] quitter',
        '[a] Acquired   [n] Not acquired   [o] observation   [←/p] previous   [→/s] skip   [q] quit',
      ),
    ]);
    notice = '';
    const { str, key } = await term.key();
    const k = (key.name ?? str ?? '').toLowerCase();
    if (k === 'a') {
      await handle.record({
        [item.comp.id]: {
          verdict: 'acquis',
          ...(current?.observation ? { observation: current.observation } : {}),
        },
      });
      index += 1;
    } else if (k === 'n') {
      const required = observationRequired(ctx.ref, 'non_acquis');
      const obs = await askObservation(term, lang, required, current?.observation ?? '');
      if (obs === undefined) {
        notice = c.yellow(
          pick(
            lang,
            'Annulé : rien n’a été enregistré pour cette compétence.',
            'Cancelled: nothing recorded for this competency.',
          ),
        );
        continue;
      }
      await handle.record({
        [item.comp.id]: obs
          ? { verdict: 'non_acquis', observation: obs }
          : { verdict: 'non_acquis' },
      });
      index += 1;
    } else if (k === 'o') {
      if (!current) {
        notice = c.yellow(
          pick(
            lang,
            'Choisissez d’abord Acquis (a) ou Non acquis (n).',
            'Choose Acquired (a) or Not acquired (n) first.',
          ),
        );
        continue;
      }
      const required = observationRequired(ctx.ref, current.verdict);
      const obs = await askObservation(term, lang, required, current.observation ?? '');
      if (obs !== undefined)
        await handle.record({
          [item.comp.id]: obs
            ? { verdict: current.verdict, observation: obs }
            : { verdict: current.verdict },
        });
    } else if (k === 'left' || k === 'p' || k === 'b') {
      index = Math.max(0, index - 1);
    } else if (k === 'right' || k === 's' || k === 'tab') {
      index += 1;
    } else if (k === 'q' || k === 'escape') {
      term.screen([
        ...header(),
        pick(
          lang,
          `Brouillon enregistré dans ${displayPath(handle.file, io.cwd)}. Relancez certif grade pour reprendre.`,
          `Draft saved in ${displayPath(handle.file, io.cwd)}. Run certif grade again to resume.`,
        ),
      ]);
      return 0;
    }
  }
}

async function askObservation(
  term: Terminal,
  lang: Lang,
  required: boolean,
  initial: string,
): Promise<string | undefined> {
  for (;;) {
    const obs = await term.line(
      required
        ? pick(
            lang,
            'Observation (obligatoire, Entrée pour valider, Échap pour annuler) : ',
            'Observation (required, Enter to confirm, Esc to cancel): ',
          )
        : pick(
            lang,
            'Observation (facultative, Entrée pour valider, Échap pour annuler) : ',
            'Observation (optional, Enter to confirm, Esc to cancel): ',
          ),
      initial,
    );
    if (obs === undefined) return undefined;
    if (obs !== '' || !required) return obs;
    term.write(
      pick(
        lang,
        'Une observation est obligatoire pour un Non acquis.\n',
        'An observation is required for Not acquired.\n',
      ),
    );
  }
}

/** End of the walk: counts, proposal, keep as draft or finalise. Undefined to go back. */
async function summary(
  ctx: SessionContext,
  term: Terminal,
  handle: EvaluationHandle,
  unit: GradedUnit,
  header: () => string[],
  c: ChalkInstance,
  now: () => Date,
): Promise<number | undefined> {
  const { lang } = ctx;
  let notice = '';
  for (;;) {
    const results = handle.results();
    const complete = handle.competencyIds.every((id) => id in results);
    term.screen([
      ...header(),
      c.bold(pick(lang, 'Récapitulatif', 'Summary')),
      proposalText(handle.proposal(), lang),
      '',
      ...(notice ? [notice, ''] : []),
      complete
        ? pick(
            lang,
            '[f] finaliser (les deux jurés confirment)   [d] garder en brouillon et quitter   [r] revoir',
            '[f] finalise (both jurors confirm)   [d] keep as draft and quit   [r] review',
          )
        : pick(
            lang,
            '[r] revenir aux compétences sans réponse   [d] garder en brouillon et quitter',
            '[r] go back to unanswered competencies   [d] keep as draft and quit',
          ),
    ]);
    const { str, key } = await term.key();
    const k = (key.name ?? str ?? '').toLowerCase();
    if (k === 'r' || k === 'left') return undefined;
    if (k === 'd' || k === 'q') {
      term.write(
        pick(
          lang,
          `Brouillon enregistré : ${displayPath(handle.file, ctx.cwd)}\n`,
          `Draft saved: ${displayPath(handle.file, ctx.cwd)}\n`,
        ),
      );
      return 0;
    }
    if (k === 'f' && complete) {
      const jury = juryOf(ctx, unit);
      const ids: string[] = [];
      for (let i = 0; i < jury.length; i++) {
        const id = await term.line(
          pick(
            lang,
            `Identifiant du juré ${i + 1}/${jury.length} : `,
            `Juror ${i + 1}/${jury.length} id: `,
          ),
        );
        if (id === undefined) break;
        ids.push(id);
      }
      if (ids.length < jury.length) {
        notice = c.yellow(pick(lang, 'Finalisation annulée.', 'Finalising cancelled.'));
        continue;
      }
      try {
        const signers = checkSigners(ctx, unit, ids);
        checkComplete(handle, lang);
        await handle.finalize(signers, now());
      } catch (error) {
        if (error instanceof InputError) {
          notice = c.red(error.message);
          continue;
        }
        throw error;
      }
      term.write(
        c.green(
          pick(
            lang,
            `✔ Évaluation finalisée (${handle.value.hash?.slice(0, 19) ?? ''}…) : ${displayPath(handle.file, ctx.cwd)}\n`,
            `✔ Evaluation finalised (${handle.value.hash?.slice(0, 19) ?? ''}…): ${displayPath(handle.file, ctx.cwd)}\n`,
          ),
        ),
      );
      return 0;
    }
  }
}

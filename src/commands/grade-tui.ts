import { emitKeypressEvents } from 'node:readline';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Io } from '../cli/io.js';
import { InputError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { fullName, type Candidate, type Result } from '../model/session.js';
import type { GradedUnit } from '../model/types.js';
import type { Proposal } from '../model/decide.js';
import { EntryHandle, readEntries } from '../project/entry-store.js';
import { EvaluationHandle } from '../project/evaluation-store.js';
import { unitState } from '../project/evaluations.js';
import { ChangedFileError } from '../project/reread.js';
import { displayPath } from '../project/files.js';
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
export class Interrupted extends Error {}

interface Queued {
  readonly str: string | undefined;
  readonly key: Key;
  /** Inside a bracketed paste: text, never commands. */
  readonly pasted: boolean;
  readonly at: number;
}

/** Keys in, screens out; raw mode on a TTY. */
export class Terminal {
  private queue: Queued[] = [];
  private waiting: (() => void) | undefined;
  private pasting = false;
  private readonly onKey = (str: string | undefined, key: Key | undefined) => {
    if (key?.name === 'paste-start' || key?.name === 'paste-end') {
      this.pasting = key.name === 'paste-start';
      return;
    }
    this.queue.push({ str, key: key ?? { sequence: str }, pasted: this.pasting, at: Date.now() });
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  };

  constructor(private readonly io: Io) {
    emitKeypressEvents(io.stdin);
    io.stdin.setRawMode?.(true);
    io.stdin.on('keypress', this.onKey);
    io.stdin.resume();
    // Bracketed paste: a pasted observation with line breaks stays text and never turns into
    // grading keys.
    this.write('\x1b[?2004h');
  }

  close(): void {
    this.write('\x1b[?2004l');
    this.io.stdin.off('keypress', this.onKey);
    this.io.stdin.setRawMode?.(false);
    this.io.stdin.pause();
  }

  /** Terminal size (80×24 when unknown). */
  get size(): { columns: number; rows: number } {
    const out = this.io.stdout as { columns?: number; rows?: number };
    return { columns: out.columns ?? 80, rows: out.rows ?? 24 };
  }

  /** Drop keys that arrived with the Enter that ended a line: the rest of an unbracketed paste. */
  private dropBurst(since: number): void {
    this.queue = this.queue.filter((q) => q.at - since > 30);
  }

  write(s: string): void {
    this.io.stdout.write(s);
  }

  /** Clear the screen and draw lines. */
  screen(lines: readonly string[]): void {
    this.write('\x1b[2J\x1b[H' + lines.join('\n') + '\n');
  }

  private async next(): Promise<Queued> {
    while (this.queue.length === 0) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    const next = this.queue.shift() as Queued;
    if (next.key.ctrl && (next.key.name === 'c' || next.key.name === 'd')) throw new Interrupted();
    return next;
  }

  /** The next command key; pasted text is ignored here. */
  async key(): Promise<{ str: string | undefined; key: Key }> {
    for (;;) {
      const next = await this.next();
      if (!next.pasted) return next;
    }
  }

  /** Read a line of text (observation, juror id); undefined on Escape. */
  async line(prompt: string, initial = ''): Promise<string | undefined> {
    let text = graphemes(initial);
    this.write(`${prompt}${initial}`);
    for (;;) {
      const { str, key, pasted, at } = await this.next();
      if ((key.name === 'return' || key.name === 'enter') && pasted) {
        text.push(' ');
        this.write(' ');
        continue;
      }
      if (key.name === 'return' || key.name === 'enter') {
        this.write('\n');
        this.dropBurst(at);
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

/** Lower case without accents, for filtering ("lefe" finds "Lefèvre"). */
function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** Cut a line to a width with an ellipsis. */
function fit(text: string, width: number): string {
  const g = graphemes(text);
  return g.length <= width ? text : g.slice(0, Math.max(1, width - 1)).join('') + '…';
}

/** What the walk needs from an evaluation or a juror's own entry. */
interface Gradable {
  readonly file: string;
  readonly competencyIds: string[];
  readonly isFinal: boolean;
  results(): Record<string, Result>;
  proposal(): Proposal;
  record(updates: Readonly<Record<string, Result>>): Promise<void>;
  /** Set when the last write found the file edited by hand and built on it. */
  readonly rereadNotice: string | undefined;
}

/** The user left a picker with Esc: nothing chosen, nothing recorded. */
class Cancelled extends Error {}

/** Type-to-filter list; Enter picks the highlighted entry, Esc leaves. */
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
    const matches = items.filter((i) => fold(label(i)).includes(fold(filter)));
    index = Math.max(0, Math.min(index, matches.length - 1));
    const room = Math.max(5, term.size.rows - 6);
    const start = Math.max(0, Math.min(index - Math.floor(room / 2), matches.length - room));
    const shown = matches.slice(start, start + room);
    term.screen([
      c.bold(title),
      `${pick(lang, 'Filtre', 'Filter')} : ${filter}▏`,
      c.dim(
        fit(
          pick(
            lang,
            'tapez pour filtrer · ↑↓ choisir · Entrée valider · Échap quitter',
            'type to filter · ↑↓ move · Enter pick · Esc leave',
          ),
          term.size.columns - 1,
        ),
      ),
      ...(start > 0
        ? [c.dim(pick(lang, `… ${start} de plus au-dessus`, `… ${start} more above`))]
        : ['']),
      ...shown.map((m, i) => {
        const text = fit(label(m), term.size.columns - 3);
        return start + i === index ? c.inverse(`› ${text}`) : `  ${text}`;
      }),
      ...(start + room < matches.length
        ? [
            c.dim(
              pick(
                lang,
                `… ${matches.length - start - room} de plus`,
                `… ${matches.length - start - room} more`,
              ),
            ),
          ]
        : []),
      ...(matches.length === 0 ? [c.yellow(pick(lang, 'Aucun résultat.', 'No match.'))] : []),
    ]);
    const { str, key } = await term.key();
    if (key.name === 'up') index -= 1;
    else if (key.name === 'down') index += 1;
    else if (key.name === 'pageup') index -= room;
    else if (key.name === 'pagedown') index += room;
    else if (key.name === 'escape') throw new Cancelled();
    else if (key.name === 'return' || key.name === 'enter') {
      const chosen = matches[index];
      if (chosen !== undefined) return chosen;
    } else if (key.name === 'backspace') filter = graphemes(filter).slice(0, -1).join('');
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
  juror: string | undefined,
): Promise<string> {
  if (!ctx.session.juries[unit.id]?.length)
    return pick(lang, 'pas de jury déclaré', 'no jury declared');
  if (juror !== undefined) {
    // Only this juror's own entry: the other juror's progress is not shown while grading.
    const own = (await readEntries(ctx, candidate, unit)).find((e) => e.juror === juror);
    if (!own) return pick(lang, 'hors de votre jury', 'not on your jury');
    return own.state === 'submitted'
      ? pick(lang, 'votre saisie : soumise', 'your entry: submitted')
      : own.state === 'draft'
        ? pick(lang, 'votre saisie : en cours', 'your entry: in progress')
        : own.state === 'invalid'
          ? pick(lang, 'fichier invalide (certif validate)', 'invalid file (certif validate)')
          : pick(lang, 'non commencé', 'not started');
  }
  const s = await unitState(ctx, candidate, unit);
  switch (s.state) {
    case 'not_started':
      return pick(lang, 'non commencé', 'not started');
    case 'draft':
      return pick(lang, `brouillon ${s.answered}/${s.total}`, `draft ${s.answered}/${s.total}`);
    case 'final':
      return pick(lang, 'finalisé', 'final');
    case 'invalid':
      return pick(lang, 'fichier invalide (certif validate)', 'invalid file (certif validate)');
  }
}

/** The interactive grading session. */
export async function interactiveGrade(
  ctx: SessionContext,
  candidateId: string | undefined,
  unitId: string | undefined,
  io: Io,
  juror?: string,
): Promise<number> {
  const { lang } = ctx;
  const c = new Chalk({ level: io.env.NO_COLOR ? 0 : 1 });
  const term = new Terminal(io);
  let handle: EvaluationHandle | EntryHandle | undefined;
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
      for (const u of attempted)
        statuses.set(u.id, await unitStatus(ctx, candidate, u, lang, juror));
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
    if (juror !== undefined) {
      const entry = await EntryHandle.open(
        ctx,
        candidate,
        unit,
        juror,
        `certif grade (${juror})`,
        io.now(),
      );
      handle = entry;
      if (entry.isFinal) {
        term.screen([
          c.yellow(
            pick(
              lang,
              `Votre saisie ${candidate.id} ${unit.id} est soumise : elle ne se modifie plus.`,
              `Your entry ${candidate.id} ${unit.id} is submitted: it is no longer changed.`,
            ),
          ),
          pick(
            lang,
            `Un écart avec l’autre juré se tranche au rapprochement : certif reconcile ${candidate.id} ${unit.id}`,
            `A difference with the other juror is settled at reconciliation: certif reconcile ${candidate.id} ${unit.id}`,
          ),
        ]);
        return 0;
      }
      const finish = async (): Promise<string> => {
        await entry.submit(io.now());
        const reread = entry.rereadNotice ? `⟳ ${entry.rereadNotice}\n` : '';
        return (
          reread +
          pick(
            lang,
            `✔ Saisie de ${juror} soumise (${entry.value.hash?.slice(0, 19) ?? ''}…) : ${displayPath(entry.file, ctx.cwd)}\n`,
            `✔ ${juror}’s entry submitted (${entry.value.hash?.slice(0, 19) ?? ''}…): ${displayPath(entry.file, ctx.cwd)}\n`,
          )
        );
      };
      return await walk(ctx, term, entry, candidate, unit, jury, io, c, { juror, finish });
    }
    const evaluation = await EvaluationHandle.open(
      ctx,
      candidate,
      unit,
      `certif grade (${jury.join(', ')})`,
      io.now(),
    );
    handle = evaluation;
    if (evaluation.isFinal) {
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
    return await walk(ctx, term, evaluation, candidate, unit, jury, io, c);
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

/** Wrap text at word boundaries to a width (long words are cut). */
function wrap(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (graphemes(candidate).length + indent.length <= width || !line) {
      line = candidate;
    } else {
      out.push(indent + line);
      line = word;
    }
  }
  if (line) out.push(indent + line);
  return out.flatMap((l) => {
    const g = graphemes(l);
    const parts: string[] = [];
    for (let i = 0; i < g.length; i += width) parts.push(g.slice(i, i + width).join(''));
    return parts.length > 0 ? parts : [''];
  });
}

/** A juror grading their own entry: who, and how the summary submits it. */
interface OwnEntry {
  readonly juror: string;
  /** Submit; the confirmation line to print. */
  readonly finish: () => Promise<string>;
}

async function walk(
  ctx: SessionContext,
  term: Terminal,
  handle: Gradable,
  candidate: Candidate,
  unit: GradedUnit,
  jury: readonly string[],
  io: Io,
  c: ChalkInstance,
  own?: OwnEntry,
): Promise<number> {
  const { lang } = ctx;
  const items = unit.activities.flatMap((a) =>
    a.competencies.map((comp) => ({ activity: a, comp })),
  );
  const jurors = jury.map((id) => {
    const j = ctx.session.jurors.find((x) => x.id === id);
    return `${j?.name ?? id}${j?.independent ? pick(lang, ' (indépendant·e)', ' (independent)') : ''}`;
  });
  const resume = `certif grade ${candidate.id} ${unit.id}${own ? ` --juror ${own.juror}` : ''}`;
  const header = (width: number) => {
    const results = handle.results();
    const acc = candidate.accommodations ?? [];
    return [
      c.bold(`certif — ${ctx.session.id}`) + c.dim(`  ${ctx.ref.id} ${ctx.ref.version}`),
      ...wrap(
        `${pick(lang, 'Candidat', 'Candidate')} : ${fullName(candidate)} (${candidate.id})`,
        width,
      ),
      ...(acc.length > 0
        ? wrap(`${pick(lang, 'Aménagements', 'Accommodations')} : ${acc.join(', ')}`, width).map(
            (l) => c.yellow(l),
          )
        : []),
      ...wrap(`${unit.id} — ${unit.title}`, width),
      ...wrap(`${pick(lang, 'Jury', 'Jury')} : ${jurors.join(', ')}`, width),
      ...(own
        ? [
            c.cyan(
              pick(
                lang,
                `Double correction à l’aveugle — saisie de ${own.juror} (l’autre juré ne la voit pas avant d’avoir soumis la sienne)`,
                `Blind double marking — ${own.juror}’s entry (the other juror does not see it before submitting theirs)`,
              ),
            ),
          ]
        : []),
      c.dim(
        `${pick(lang, 'Réponses', 'Answers')} : ${Object.keys(results).length}/${items.length}`,
      ),
      c.dim('─'.repeat(Math.min(width, 72))),
    ];
  };
  const firstUnanswered = () => {
    const results = handle.results();
    const i = items.findIndex((it) => !(it.comp.id in results));
    return i < 0 ? items.length : i;
  };
  // A hand edit found before a write is kept and said on the status line.
  const reread = () => (handle.rereadNotice ? c.yellow(` — ⟳ ${handle.rereadNotice}`) : '');
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
      const done = await summary(ctx, term, handle, unit, header, c, io.now, own);
      if (done !== undefined) return done;
      const next = firstUnanswered();
      index = next < items.length ? next : 0;
      continue;
    }
    const item = items[index];
    if (!item) return 0;
    const { columns, rows } = term.size;
    const width = Math.max(40, columns - 1);
    const current: Result | undefined = handle.results()[item.comp.id];
    const head = header(width);
    const body = [
      ...wrap(
        `${pick(lang, 'Activité', 'Activity')} ${item.activity.id} — ${item.activity.title}`,
        width,
      ).map((l) => c.dim(l)),
      ...wrap(
        `[${index + 1}/${items.length}] ${unit.id}.${item.comp.id} — ${item.comp.label}`,
        width,
      ).map((l, i) => (i === 0 ? c.bold(l) : l)),
    ];
    const answer = [
      '',
      ...wrap(
        `${pick(lang, 'Réponse', 'Answer')} : ${current ? (current.verdict === 'acquis' ? 'Acquis' : 'Non acquis') : pick(lang, '(aucune)', '(none)')}${current?.observation ? ` — ${current.observation}` : ''}`,
        width,
      ).map((l, i) =>
        i === 0 && current ? (current.verdict === 'acquis' ? c.green(l) : c.red(l)) : l,
      ),
      ...(notice ? [notice] : []),
      c.dim('─'.repeat(Math.min(width, 72))),
    ];
    const help = wrap(
      pick(
        lang,
        `[a] Acquis  [n] Non acquis  [o] observation  [←/p] précédente  [→/s] passer${item.comp.threshold || unit.criteria.length === 0 ? '' : '  [c] critères'}  [q] quitter`,
        `[a] Acquired  [n] Not acquired  [o] observation  [←/p] previous  [→/s] skip${item.comp.threshold || unit.criteria.length === 0 ? '' : '  [c] criteria'}  [q] quit`,
      ),
      width,
    );
    let guidance: string[] = [];
    if (item.comp.threshold) {
      guidance = wrap(
        `${pick(lang, 'Seuil attendu', 'Expected threshold')} : ${item.comp.threshold}`,
        width,
      );
    } else if (unit.criteria.length > 0) {
      const full = [
        pick(lang, 'Critères du bloc :', 'Criteria of the bloc:'),
        ...unit.criteria.flatMap((cr) => wrap(`• ${cr.label}`, width, '  ').map((l) => c.dim(l))),
      ];
      const room = rows - head.length - body.length - answer.length - help.length - 1;
      guidance =
        full.length <= room
          ? full
          : [
              c.dim(
                pick(
                  lang,
                  `Critères du bloc (${unit.criteria.length}) : [c] pour les afficher`,
                  `Criteria of the bloc (${unit.criteria.length}): [c] to show them`,
                ),
              ),
            ];
    }
    term.screen([...head, ...body, ...guidance, ...answer, ...help]);
    notice = '';
    const { str, key } = await term.key();
    const k = (key.name ?? str ?? '').toLowerCase();
    const id = `${unit.id}.${item.comp.id}`;
    if (k === 'a') {
      await handle.record({
        [item.comp.id]: {
          verdict: 'acquis',
          ...(current?.observation ? { observation: current.observation } : {}),
        },
      });
      notice = c.green(pick(lang, `✔ ${id} : Acquis enregistré`, `✔ ${id}: Acquired saved`));
      notice += reread();
      if (current?.verdict === 'non_acquis' && current.observation) {
        notice += c.yellow(
          pick(
            lang,
            ` — l’observation est conservée ([←] puis [o] pour la modifier)`,
            ` — the observation is kept ([←] then [o] to edit it)`,
          ),
        );
      }
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
      notice = c.green(
        pick(lang, `✔ ${id} : Non acquis enregistré`, `✔ ${id}: Not acquired saved`),
      );
      notice += reread();
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
      if (obs !== undefined) {
        await handle.record({
          [item.comp.id]: obs
            ? { verdict: current.verdict, observation: obs }
            : { verdict: current.verdict },
        });
        notice = c.green(
          pick(lang, `✔ Observation de ${id} enregistrée`, `✔ Observation of ${id} saved`),
        );
        notice += reread();
      }
    } else if (k === 'c' && unit.criteria.length > 0) {
      // The criteria on a screen of their own: the competency being judged never scrolls away.
      term.screen([
        c.bold(
          `${unit.id} — ${pick(lang, 'Critères d’évaluation du bloc', 'Evaluation criteria of the bloc')}`,
        ),
        '',
        ...unit.criteria.flatMap((cr) => wrap(`• ${cr.label}`, width, '  ')),
        '',
        c.dim(
          pick(
            lang,
            'Une touche pour revenir à la compétence.',
            'Any key to go back to the competency.',
          ),
        ),
      ]);
      await term.key();
    } else if (k === 'left' || k === 'p' || k === 'b' || k === 'up') {
      index = Math.max(0, index - 1);
    } else if (k === 'right' || k === 's' || k === 'tab' || k === 'down') {
      index += 1;
    } else if (k === 'q') {
      const answered = Object.keys(handle.results()).length;
      term.screen([
        ...header(width),
        answered > 0
          ? pick(
              lang,
              `Brouillon enregistré dans ${displayPath(handle.file, io.cwd)}. Pour reprendre : ${resume}`,
              `Draft saved in ${displayPath(handle.file, io.cwd)}. To resume: ${resume}`,
            )
          : pick(lang, 'Rien n’a été enregistré.', 'Nothing was recorded.'),
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
  handle: Gradable,
  unit: GradedUnit,
  header: (width: number) => string[],
  c: ChalkInstance,
  now: () => Date,
  own?: OwnEntry,
): Promise<number | undefined> {
  const { lang } = ctx;
  let notice = '';
  for (;;) {
    const width = Math.max(40, term.size.columns - 1);
    const results = handle.results();
    const missing = handle.competencyIds.filter((id) => !(id in results));
    const complete = missing.length === 0;
    const failed = handle.competencyIds.filter((id) => results[id]?.verdict === 'non_acquis');
    term.screen([
      ...header(width),
      c.bold(pick(lang, 'Récapitulatif', 'Summary')),
      ...wrap(proposalText(handle.proposal(), lang), width),
      ...(failed.length > 0 ? [pick(lang, 'Non acquis :', 'Not acquired:')] : []),
      ...failed.flatMap((id) =>
        wrap(`${unit.id}.${id} — ${results[id]?.observation ?? ''}`, width, '  ').map((l) =>
          c.red(l),
        ),
      ),
      ...(missing.length > 0
        ? wrap(
            pick(lang, `Sans réponse : ${missing.join(', ')}`, `Unanswered: ${missing.join(', ')}`),
            width,
          ).map((l) => c.yellow(l))
        : []),
      '',
      ...(notice ? [notice, ''] : []),
      complete && own
        ? pick(
            lang,
            '[s] soumettre ma saisie (définitive)   [d] garder en brouillon et quitter   [r] revoir',
            '[s] submit my entry (final)   [d] keep as draft and quit   [r] review',
          )
        : complete
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
    notice = '';
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
    if (own && k === 's') {
      if (!complete) {
        notice = c.yellow(
          pick(
            lang,
            `Impossible de soumettre : ${missing.length} compétence(s) sans réponse.`,
            `Cannot submit: ${missing.length} competenc(ies) unanswered.`,
          ),
        );
        continue;
      }
      // A submitted entry can no longer be changed: one stray key must not make it final.
      term.write(pick(lang, 'Soumettre définitivement ? o/N ', 'Submit as final? y/N '));
      const answer = await term.key();
      const yes = (answer.key.name ?? answer.str ?? '').toLowerCase();
      term.write('\n');
      if (yes !== 'o' && yes !== 'y') {
        notice = c.yellow(
          pick(
            lang,
            'Soumission annulée : saisie en brouillon.',
            'Submission cancelled: entry kept as a draft.',
          ),
        );
        continue;
      }
      try {
        term.write(c.green(await own.finish()));
      } catch (error) {
        if (error instanceof InputError && !(error instanceof ChangedFileError)) {
          notice = c.red(error.message);
          continue;
        }
        throw error;
      }
      return 0;
    }
    if (own && k === 'f') continue;
    if (k === 'f' && !complete) {
      notice = c.yellow(
        pick(
          lang,
          `Impossible de finaliser : ${missing.length} compétence(s) sans réponse.`,
          `Cannot finalise: ${missing.length} competenc(ies) unanswered.`,
        ),
      );
      continue;
    }
    if (k === 'f') {
      const jury = juryOf(ctx, unit);
      const ids: string[] = [];
      while (ids.length < jury.length) {
        const id = await term.line(
          pick(
            lang,
            `Identifiant du juré ${ids.length + 1}/${jury.length} (${jury.join(', ')}) : `,
            `Juror ${ids.length + 1}/${jury.length} id (${jury.join(', ')}): `,
          ),
        );
        if (id === undefined) break;
        if (!jury.includes(id)) {
          term.write(
            c.red(
              pick(
                lang,
                `« ${id} » ne siège pas au jury de ${unit.id}.\n`,
                `"${id}" does not sit on the jury of ${unit.id}.\n`,
              ),
            ),
          );
          continue;
        }
        if (ids.includes(id)) {
          term.write(
            c.red(
              pick(
                lang,
                `${id} a déjà confirmé : l’autre juré doit confirmer.\n`,
                `${id} already confirmed: the other juror must confirm.\n`,
              ),
            ),
          );
          continue;
        }
        const name = ctx.session.jurors.find((j) => j.id === id)?.name ?? id;
        term.write(c.green(pick(lang, `✔ ${name}\n`, `✔ ${name}\n`)));
        ids.push(id);
      }
      if (ids.length < jury.length) {
        notice = c.yellow(pick(lang, 'Finalisation annulée.', 'Finalising cancelled.'));
        continue;
      }
      try {
        const signers = checkSigners(ctx, unit, ids);
        if (!(handle instanceof EvaluationHandle)) continue;
        checkComplete(handle, lang);
        await handle.finalize(signers, now());
      } catch (error) {
        if (error instanceof InputError && !(error instanceof ChangedFileError)) {
          notice = c.red(error.message);
          continue;
        }
        throw error;
      }
      if (handle.rereadNotice) term.write(c.yellow(`⟳ ${handle.rereadNotice}\n`));
      term.write(
        c.green(
          pick(
            lang,
            `✔ Évaluation finalisée (${handle instanceof EvaluationHandle ? (handle.value.hash?.slice(0, 19) ?? '') : ''}…) : ${displayPath(handle.file, ctx.cwd)}\n`,
            `✔ Evaluation finalised (${handle instanceof EvaluationHandle ? (handle.value.hash?.slice(0, 19) ?? '') : ''}…): ${displayPath(handle.file, ctx.cwd)}\n`,
          ),
        ),
      );
      return 0;
    }
  }
}

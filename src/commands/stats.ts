import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { InputError, InvalidFilesError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { verdicts } from '../model/session.js';
import { competenciesOf, type Verdict } from '../model/types.js';
import { readSessionEntries } from '../project/entry-store.js';
import { assertSealed, deliberationRows, readDeliberation } from '../project/deliberation.js';
import { assertPrintable, type UnitState } from '../project/evaluations.js';
import { displayPath, pathKind } from '../project/files.js';
import { findProjectRoot } from '../project/root.js';
import { openSession, type SessionContext } from '../project/session.js';
import { renderBody, renderDocument, type DocumentName } from '../render/engine.js';
import { labels } from '../render/labels.js';
import { writeOutput } from '../render/write-out.js';
import { jurorAgreement, LOW_KAPPA, MIN_JUDGEMENTS, type JurorEntry } from '../stats/agreement.js';
import { computeFigures, type SessionInput } from '../stats/figures.js';
import { agreementModel, definitions, period, qualiopiModel, statsModel } from '../stats/view.js';

/** Options of `certif stats`. */
export interface StatsOptions {
  readonly format: 'md' | 'html' | 'json';
  readonly qualiopi: boolean;
  readonly agreement: boolean;
  readonly out?: string | undefined;
  readonly lang: Lang;
}

/** The session folders asked for: each argument (a folder or an id), or every session. */
async function sessionDirs(args: readonly string[], io: Io, lang: Lang): Promise<string[]> {
  const root = await findProjectRoot(io.cwd);
  const has = async (dir: string) => (await pathKind(path.join(dir, 'session.yaml'))) !== 'missing';
  if (args.length === 0) {
    const sessions = path.join(root, 'sessions');
    let names: string[] = [];
    try {
      names = (await readdir(sessions)).sort();
    } catch {
      // no sessions folder: said below
    }
    const dirs: string[] = [];
    for (const name of names)
      if (await has(path.join(sessions, name))) dirs.push(path.join(sessions, name));
    if (dirs.length === 0) {
      throw new UsageError(
        pick(lang, 'Aucune session dans ce projet.', 'No session in this project.'),
        pick(
          lang,
          'Créez-en une : certif init sessions/<id> --referential <id>.',
          'Create one: certif init sessions/<id> --referential <id>.',
        ),
      );
    }
    return dirs;
  }
  const dirs: string[] = [];
  for (const arg of args) {
    const asPath = path.resolve(io.cwd, arg);
    const dir = path.basename(asPath) === 'session.yaml' ? path.dirname(asPath) : asPath;
    const byId = path.join(root, 'sessions', arg);
    if (await has(dir)) dirs.push(dir);
    else if (await has(byId)) dirs.push(byId);
    else {
      throw new UsageError(
        pick(lang, `Session introuvable : ${arg}`, `Session not found: ${arg}`),
        pick(
          lang,
          'Donnez un dossier de session (sessions/<id>) ou son identifiant ; sans argument, toutes les sessions.',
          'Give a session folder (sessions/<id>) or its id; with no argument, every session.',
        ),
      );
    }
  }
  return [...new Set(dirs)];
}

interface Opened {
  readonly ctx: SessionContext;
  readonly input: SessionInput;
}

/** Open each session and read its deliberation rows; unreadable evaluations stop everything. */
async function openAll(dirs: readonly string[], io: Io, lang: Lang): Promise<Opened[]> {
  const out: Opened[] = [];
  for (const dir of dirs) {
    const ctx = await openSession(dir, io.cwd, lang);
    const d = await readDeliberation(ctx);
    const rows = await deliberationRows(ctx, d?.value);
    const states = rows.flatMap((r) =>
      r.units.map((u) => u.state).filter((s): s is UnitState => s !== undefined),
    );
    // Figures from a file edited by hand would be figures the jury never gave.
    assertPrintable(states, lang);
    // Figures from a closed deliberation edited since would be decisions the jury never took.
    assertSealed(ctx, d, rows);
    const s = ctx.session;
    out.push({
      ctx,
      input: {
        id: s.id,
        title: s.title,
        start: s.dates?.start,
        end: s.dates?.end,
        ref: ctx.ref,
        units: ctx.units,
        rows,
        closedOn: d?.value.closed?.date,
      },
    });
  }
  return out.sort(
    (a, b) =>
      (a.input.start ?? '9999').localeCompare(b.input.start ?? '9999') ||
      a.input.id.localeCompare(b.input.id),
  );
}

function write(text: string, o: StatsOptions, io: Io): Promise<void> {
  return writeOutput(text, o.out, io, o.lang);
}

function document(name: DocumentName, title: string, model: object, o: StatsOptions): string {
  const format = o.format === 'html' ? 'html' : 'md';
  const body = renderBody(format, name, labels(o.lang), model);
  const text = renderDocument(format, o.lang, title, [body]);
  return text.endsWith('\n') ? text : text + '\n';
}

const dated = (days: readonly (string | undefined)[]): string[] =>
  days.filter((d): d is string => Boolean(d)).sort();

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/**
 * `certif stats [session...]`: outcomes and success rates per session, year and bloc, the
 * competencies most often judged Non acquis; `--qualiopi` the public page; `--agreement` the
 * agreement of jurors in blind double marking.
 */
export async function statsCommand(
  args: readonly string[],
  o: StatsOptions,
  io: Io,
): Promise<number> {
  const { lang } = o;
  const t = labels(lang);
  if (o.qualiopi && o.agreement) {
    throw new UsageError(
      pick(lang, 'Soit --qualiopi, soit --agreement.', 'Either --qualiopi or --agreement.'),
    );
  }
  const opened = await openAll(await sessionDirs(args, io, lang), io, lang);

  if (o.agreement) {
    const sessions: { id: string; entries: JurorEntry[] }[] = [];
    for (const { ctx } of opened) {
      const read = await readSessionEntries(ctx);
      // Like a hand-edited evaluation: a juror's entry that does not check would give figures
      // no juror gave, so it stops the command and says why.
      const invalid = read.reads.filter((r) => r.state === 'invalid');
      if (invalid.length > 0) {
        throw new InvalidFilesError(
          pick(
            lang,
            `saisie(s) de juré invalide(s), accord non calculé : ${invalid.map((r) => displayPath(r.file, io.cwd)).join(', ')}`,
            `invalid juror entr(ies), agreement not computed: ${invalid.map((r) => displayPath(r.file, io.cwd)).join(', ')}`,
          ),
          invalid.flatMap((r) => r.diagnostics),
        );
      }
      // Files no juror of the jury accounts for are not anyone's judgement: named, left out.
      for (const file of read.strays) {
        io.stderr.write(
          pick(
            lang,
            `certif: fichier ignoré sous entries/ (pas à la place d’une saisie d’un juré du jury ; voir certif validate) : ${file}\n`,
            `certif: file left out under entries/ (not at the place of an entry by a juror of the jury; see certif validate): ${file}\n`,
          ),
        );
      }
      sessions.push({
        id: ctx.session.id,
        entries: read.reads.map((r) => ({
          candidate: r.candidate,
          bloc: r.bloc,
          juror: r.juror,
          status: r.state === 'draft' || r.state === 'submitted' ? r.state : 'absent',
          // A draft's values are never handed on: blindness holds until both have submitted.
          verdicts: Object.assign(
            Object.create(null) as Record<string, Verdict>,
            r.state === 'submitted' && r.value ? verdicts(r.value.results) : {},
          ),
        })),
      });
    }
    const position = new Map<string, number>();
    const label = new Map<string, string>();
    const names = new Map<string, string>();
    for (const { ctx } of opened) {
      for (const unit of ctx.units) {
        for (const c of competenciesOf(unit)) {
          const key = `${unit.id}.${c.id}`;
          if (!position.has(key)) position.set(key, position.size);
          if (!label.has(key)) label.set(key, c.label);
        }
      }
      for (const j of ctx.session.jurors) if (!names.has(j.id)) names.set(j.id, j.name);
    }
    const pairs = jurorAgreement(
      sessions,
      (u, c) => position.get(`${u}.${c}`) ?? Number.MAX_SAFE_INTEGER,
    );
    if (o.format === 'json') {
      await write(
        json({
          sessions: sessions.map((s) => s.id),
          rule: { kappa_below: LOW_KAPPA, min_judgements: MIN_JUDGEMENTS },
          pairs,
        }),
        o,
        io,
      );
    } else {
      const model = agreementModel(
        pairs,
        lang,
        t,
        (u, c) => label.get(`${u}.${c}`) ?? '',
        (j) => names.get(j) ?? j,
      );
      await write(document('stats-agreement', t.agreementTitle, model, o), o, io);
    }
    return 0;
  }

  if (o.qualiopi) {
    const open = opened.filter((x) => x.input.closedOn === undefined);
    for (const x of open) {
      io.stderr.write(
        pick(
          lang,
          `certif: session ${x.input.id} écartée : délibération non close.\n`,
          `certif: session ${x.input.id} left out: deliberation not closed.\n`,
        ),
      );
    }
    const closed = opened.filter((x) => x.input.closedOn !== undefined);
    if (closed.length === 0) {
      throw new InputError(
        pick(
          lang,
          'Aucune délibération close : rien à publier.',
          'No closed deliberation: nothing to publish.',
        ),
        pick(
          lang,
          'La page publique ne reprend que des résultats définitifs : certif deliberate --close.',
          'The public page only shows final results: certif deliberate --close.',
        ),
      );
    }
    const f = computeFigures(closed.map((x) => x.input));
    if (o.format === 'json') {
      await write(
        json({
          period: {
            first: dated(f.sessions.map((s) => s.start))[0] ?? null,
            last: dated(f.sessions.map((s) => s.end ?? s.start)).at(-1) ?? null,
            text: period(f.sessions, lang),
          },
          sessions: f.sessions.length,
          candidates: f.total.candidates,
          sat: f.total.sat,
          success: f.total.success,
          referentials: f.referentials.map((r) => ({
            id: r.id,
            version: r.version,
            title: r.title,
            blocs: r.blocs.map((b) => ({ id: b.id, title: b.title, success: b.success })),
          })),
          definitions: definitions(lang).slice(0, 2),
        }),
        o,
        io,
      );
    } else {
      await write(document('stats-qualiopi', t.qualiopiTitle, qualiopiModel(f, lang, t), o), o, io);
    }
    return 0;
  }

  const f = computeFigures(opened.map((x) => x.input));
  if (o.format === 'json') await write(json({ definitions: definitions(lang), ...f }), o, io);
  else await write(document('stats', t.statsTitle, statsModel(f, lang, t), o), o, io);
  return 0;
}

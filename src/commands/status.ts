import type { Io } from '../cli/io.js';
import { Chalk } from 'chalk';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { fullName } from '../model/session.js';
import { sessionStates, type UnitState } from '../project/evaluations.js';
import { isBlind, progressText, readEntries, type EntryRead } from '../project/entry-store.js';
import { displayPath } from '../project/files.js';
import { findSessionDir, openSession } from '../project/session.js';

function cellText(s: UnitState, lang: Lang): string {
  switch (s.state) {
    case 'not_started':
      return pick(lang, 'non commencé', 'not started');
    case 'invalid':
      return pick(lang, 'INVALIDE', 'INVALID');
    case 'draft':
      return pick(lang, `brouillon ${s.answered}/${s.total}`, `draft ${s.answered}/${s.total}`);
    case 'final':
      return (
        pick(lang, 'final', 'final') +
        (s.proposal?.decision === 'valide'
          ? pick(lang, ' · validé', ' · validated')
          : pick(lang, ' · non validé', ' · not validated'))
      );
  }
}

/** Has any juror started an entry (draft, submitted or unreadable)? */
function entriesStarted(entries: readonly EntryRead[] | undefined): boolean {
  return (entries ?? []).some((e) => e.state !== 'absent');
}

/** `certif status [session]`: candidates × blocs, where each stands. */
export async function statusCommand(
  sessionArg: string | undefined,
  options: { session?: string | undefined; format: 'text' | 'json'; lang: Lang },
  io: Io,
): Promise<number> {
  const { lang } = options;
  const dir = await findSessionDir(sessionArg ?? options.session, io.cwd, lang);
  const ctx = await openSession(dir, io.cwd, lang);
  const states = await sessionStates(ctx);
  // Blind double marking: each juror's progress until the jury reconciles, never their answers.
  const progress = new Map<UnitState, EntryRead[]>();
  if (isBlind(ctx)) {
    for (const s of states) {
      if (s.state === 'not_started') progress.set(s, await readEntries(ctx, s.candidate, s.unit));
    }
  }
  if (options.format === 'json') {
    io.stdout.write(
      JSON.stringify(
        {
          session: ctx.session.id,
          referential: { id: ctx.ref.id, version: ctx.ref.version },
          evaluations: states.map((s) => ({
            candidate: s.candidate.id,
            bloc: s.unit.id,
            // Jurors' entries under way: the candidate sat, the bloc waits for reconciliation.
            state:
              s.state === 'not_started' && entriesStarted(progress.get(s))
                ? 'double_marking'
                : s.state,
            answered: s.answered,
            total: s.total,
            proposal: s.proposal?.decision ?? null,
            acquired: s.proposal?.acquired ?? 0,
            file: displayPath(s.file, io.cwd),
            ...(progress.has(s)
              ? {
                  entries: Object.fromEntries(
                    (progress.get(s) ?? []).map((e) => [
                      e.juror,
                      e.state === 'absent' ? 'not_started' : e.state,
                    ]),
                  ),
                }
              : {}),
          })),
        },
        null,
        2,
      ) + '\n',
    );
    return states.some((s) => s.state === 'invalid') ? 1 : 0;
  }
  const c = new Chalk({ level: io.stdoutIsTTY && !io.env.NO_COLOR ? 1 : 0 });
  const units = ctx.units.filter((u) =>
    ctx.session.candidates.some((cd) => cd.blocs.includes(u.id)),
  );
  // Blind: no joint evaluation yet, but at least one juror has started an entry.
  const inProgress = (s: UnitState): boolean =>
    (progress.get(s) ?? []).some((e) => e.state !== 'absent');
  const cellOf = (s: UnitState): string => {
    const entries = progress.get(s);
    return entries && inProgress(s) ? progressText(entries, lang) : cellText(s, lang);
  };
  const colWidth = Math.max(24, ...states.map((s) => cellOf(s).length + 2));
  const nameWidth = Math.max(
    10,
    ...ctx.session.candidates.map((cd) => `${cd.id} ${fullName(cd)}`.length),
  );
  const lines = [
    c.bold(
      `${pick(lang, 'Candidat', 'Candidate').padEnd(nameWidth)}  ${units.map((u) => u.id.padEnd(colWidth)).join('')}`,
    ),
  ];
  for (const cd of ctx.session.candidates) {
    const cells = units.map((u) => {
      const s = states.find((x) => x.candidate.id === cd.id && x.unit.id === u.id);
      const acquiredBefore = (cd.acquired ?? []).some((a) => a.bloc === u.id);
      const text = s
        ? cellOf(s)
        : acquiredBefore
          ? pick(lang, 'acquis avant', 'acquired before')
          : '—';
      const padded = text.padEnd(colWidth);
      if (!s) return c.dim(padded);
      if (s.state === 'final')
        return s.proposal?.decision === 'valide' ? c.green(padded) : c.red(padded);
      if (s.state === 'draft' || inProgress(s)) return c.yellow(padded);
      if (s.state === 'invalid') return c.red.bold(padded);
      return padded;
    });
    lines.push(`${`${cd.id} ${fullName(cd)}`.padEnd(nameWidth)}  ${cells.join('')}`);
  }
  const counts = { final: 0, draft: 0, entries: 0, not_started: 0, invalid: 0 };
  for (const s of states) counts[inProgress(s) ? 'entries' : s.state] += 1;
  const entriesText = counts.entries
    ? pick(
        lang,
        `, ${counts.entries} en cours de double correction`,
        `, ${counts.entries} in blind double marking`,
      )
    : '';
  lines.push('');
  lines.push(
    pick(
      lang,
      `${states.length} évaluation(s) : ${counts.final} finale(s), ${counts.draft} brouillon(s)${entriesText}, ${counts.not_started} non commencée(s)${counts.invalid ? `, ${counts.invalid} invalide(s) (certif validate)` : ''}`,
      `${states.length} evaluation(s): ${counts.final} final, ${counts.draft} draft${entriesText}, ${counts.not_started} not started${counts.invalid ? `, ${counts.invalid} invalid (certif validate)` : ''}`,
    ),
  );
  io.stdout.write(lines.join('\n') + '\n');
  return counts.invalid > 0 ? 1 : 0;
}

import { Chalk } from 'chalk';
import type { Io } from '../cli/io.js';
import { pick } from '../cli/lang.js';
import { fullName, type Candidate } from '../model/session.js';
import type { GradedUnit } from '../model/types.js';
import type { SessionContext } from '../project/session.js';
import { Interrupted, Terminal } from './grade-tui.js';
import type { Decision, Difference } from './reconcile.js';

/**
 * Ask the jury, on a terminal, its joint decision and reason for each competency where the
 * entries differ. Nothing is written here: the caller writes every decision at once. `quit` or
 * `interrupted` (Ctrl-C) when the jury leaves before the end.
 */
export async function interactiveDecisions(
  ctx: SessionContext,
  candidate: Candidate,
  unit: GradedUnit,
  diffs: readonly Difference[],
  io: Io,
): Promise<Map<string, Decision> | 'quit' | 'interrupted'> {
  const { lang } = ctx;
  const c = new Chalk({ level: io.env.NO_COLOR ? 0 : 1 });
  const term = new Terminal(io);
  const out = new Map<string, Decision>();
  try {
    let notice = '';
    for (let i = 0; i < diffs.length;) {
      const d = diffs[i];
      if (!d) break;
      term.screen([
        c.bold(`certif reconcile — ${fullName(candidate)} (${candidate.id}) · ${unit.id}`),
        c.dim(
          pick(
            lang,
            `Écart ${i + 1}/${diffs.length} : les saisies des jurés diffèrent`,
            `Difference ${i + 1}/${diffs.length}: the jurors’ entries differ`,
          ),
        ),
        '',
        c.bold(`${unit.id}.${d.competency} — ${d.label}`),
        ...Object.entries(d.entries).map(([juror, v]) => {
          const obs = d.observations[juror];
          const text = `  ${juror} : ${v === 'acquis' ? pick(lang, 'Acquis', 'Acquired') : pick(lang, 'Non acquis', 'Not acquired')}${obs ? ` — « ${obs} »` : ''}`;
          return v === 'acquis' ? c.green(text) : c.red(text);
        }),
        '',
        ...(notice ? [notice] : []),
        pick(
          lang,
          'Décision commune du jury : [a] Acquis  [n] Non acquis  [←/p] précédente  [q] quitter sans enregistrer',
          'Joint decision of the jury: [a] Acquired  [n] Not acquired  [←/p] previous  [q] quit without saving',
        ),
      ]);
      notice = '';
      const { str, key } = await term.key();
      const k = (key.name ?? str ?? '').toLowerCase();
      if (k === 'q') {
        term.write(pick(lang, 'Rien n’a été enregistré.\n', 'Nothing was recorded.\n'));
        return 'quit';
      }
      if (k === 'left' || k === 'p') {
        i = Math.max(0, i - 1);
        continue;
      }
      if (k !== 'a' && k !== 'n') continue;
      const reason = await term.line(
        pick(
          lang,
          'Motif de la décision (obligatoire, Entrée pour valider, Échap pour annuler) : ',
          'Reason for the decision (required, Enter to confirm, Esc to cancel): ',
        ),
        out.get(d.competency)?.reason ?? '',
      );
      if (!reason) {
        notice = c.yellow(
          pick(
            lang,
            'Un motif est obligatoire : décision non retenue.',
            'A reason is required: decision not kept.',
          ),
        );
        continue;
      }
      out.set(d.competency, { decision: k === 'a' ? 'acquis' : 'non_acquis', reason });
      i += 1;
    }
    return out;
  } catch (error) {
    if (error instanceof Interrupted) {
      io.stderr.write(
        pick(
          lang,
          '\nRapprochement interrompu, rien n’a été enregistré.\n',
          '\nReconciliation interrupted, nothing was recorded.\n',
        ),
      );
      return 'interrupted';
    }
    throw error;
  } finally {
    term.close();
  }
}

/** Ask a yes/no question on the terminal: only o/y says yes (Ctrl-C and anything else say no). */
export async function confirm(io: Io, question: string): Promise<boolean> {
  const term = new Terminal(io);
  try {
    term.write(question);
    const { str, key } = await term.key();
    term.write('\n');
    const k = (key.name ?? str ?? '').toLowerCase();
    return k === 'o' || k === 'y';
  } catch (error) {
    if (error instanceof Interrupted) return false;
    throw error;
  } finally {
    term.close();
  }
}

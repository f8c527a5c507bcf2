import type { Io } from '../cli/io.js';
import { InputError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { EvaluationHandle } from '../project/evaluation-store.js';
import { displayPath } from '../project/files.js';
import { findCandidate, findSessionDir, findUnit, openSession } from '../project/session.js';
import { collectInput, describe, mergeInput } from './grade-input.js';
import { juryOf } from './grade.js';

/** `certif amend <candidate> <bloc> --set … --reason … --by <juror>`: correct a final evaluation. */
export async function amendCommand(
  candidateId: string,
  unitId: string,
  options: {
    session?: string | undefined;
    set: readonly string[];
    observation: readonly string[];
    reason?: string | undefined;
    by?: string | undefined;
    lang: Lang;
  },
  io: Io,
): Promise<number> {
  const { lang } = options;
  if (options.set.length === 0 && options.observation.length === 0) {
    throw new UsageError(
      pick(
        lang,
        'Rien à corriger : ajoutez --set C1=acquis (et/ou --observation).',
        'Nothing to correct: add --set C1=acquis (and/or --observation).',
      ),
    );
  }
  const reason = options.reason?.trim() ?? '';
  if (reason === '') {
    throw new InputError(
      pick(
        lang,
        'Un avenant exige un motif : rien n’a été modifié.',
        'An amendment needs a reason: nothing was changed.',
      ),
      pick(
        lang,
        'Ajoutez --reason "erreur de report depuis la grille papier" (par exemple).',
        'Add --reason "copied wrongly from the paper grid" (for example).',
      ),
    );
  }
  const dir = await findSessionDir(options.session, io.cwd, lang);
  const ctx = await openSession(dir, io.cwd, lang);
  const candidate = findCandidate(ctx, candidateId);
  const unit = findUnit(ctx, candidate, unitId);
  const jury = juryOf(ctx, unit);
  const by = options.by?.trim() ?? '';
  if (!jury.includes(by)) {
    throw new InputError(
      pick(
        lang,
        `Un avenant est signé par un juré du jury de ${unit.id} (${jury.join(', ')}), pas par « ${by} ».`,
        `An amendment is signed by a juror of ${unit.id} (${jury.join(', ')}), not by "${by}".`,
      ),
      pick(lang, `Ajoutez --by ${jury[0] ?? '<juré>'}.`, `Add --by ${jury[0] ?? '<juror>'}.`),
    );
  }
  const input = collectInput(unit, options.set, options.observation, undefined, lang);
  const handle = await EvaluationHandle.open(
    ctx,
    candidate,
    unit,
    `certif amend (${by})`,
    io.now(),
  );
  try {
    if (!handle.isFinal) {
      throw new InputError(
        pick(
          lang,
          `${displayPath(handle.file, io.cwd)} est encore un brouillon : corrigez-la avec certif grade.`,
          `${displayPath(handle.file, io.cwd)} is still a draft: correct it with certif grade.`,
        ),
      );
    }
    const before = handle.results();
    const updates = mergeInput(input, before, ctx.ref, unit, lang, {
      dropObservationOnChange: true,
    });
    // An amendment that changes nothing would still enter the audit trail and change the hash,
    // making the jury's decision stale for nothing.
    const same = Object.entries(updates).filter(
      ([id, r]) => before[id]?.verdict === r.verdict && before[id]?.observation === r.observation,
    );
    if (same.length > 0) {
      throw new InputError(
        pick(
          lang,
          `${same.map(([id, r]) => `${id} est déjà ${describe(r.verdict, lang)}`).join(' ; ')} : rien à modifier. Rien n’a été écrit.`,
          `${same.map(([id, r]) => `${id} is already ${describe(r.verdict, lang)}`).join('; ')}: nothing to change. Nothing was written.`,
        ),
        pick(
          lang,
          'Retirez-la de la commande ; pour ne changer que l’observation, donnez --observation.',
          'Leave it out of the command; to change only the observation, give --observation.',
        ),
      );
    }
    await handle.amend(updates, by, reason, io.now());
    if (handle.rereadNotice) io.stderr.write(`⟳ ${handle.rereadNotice}\n`);
    io.stderr.write(
      pick(
        lang,
        `✔ ${Object.keys(updates).length} avenant(s) enregistré(s) — ${displayPath(handle.file, io.cwd)}\n`,
        `✔ ${Object.keys(updates).length} amendment(s) recorded — ${displayPath(handle.file, io.cwd)}\n`,
      ),
    );
    return 0;
  } finally {
    await handle.close();
  }
}

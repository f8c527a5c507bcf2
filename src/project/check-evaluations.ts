import path from 'node:path';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import type { Entry, Evaluation, Session } from '../model/session.js';
import type { Referential } from '../model/types.js';
import { checkReconciled, type ReadEntry } from '../rules/double-marking.js';
import { checkEvaluation } from '../rules/evaluation.js';
import { ruleContext } from '../rules/context.js';
import type { FileKind } from '../schema/registry.js';
import { ancestor, displayPath } from './files.js';
import { loadFileSync } from './load.js';

/** A file to check (the shape of `FileRef` in check.ts). */
export interface EvaluationRef {
  readonly abs: string;
  readonly display: string;
  readonly kind: FileKind;
}

/** What an evaluation is checked against: its session and the référentiel it pins. */
export interface SessionContext {
  readonly session?: Session;
  readonly ref?: Referential;
}

/** One checked evaluation: its diagnostics, and its value when a deliberation needs it. */
export interface EvaluationChecked {
  readonly diagnostics: Diagnostic[];
  readonly value?: Evaluation;
}

/** The language of messages and the folder paths are shown relative to. */
export interface CheckEnv {
  readonly lang: Lang;
  readonly cwd: string;
}

/** The session folder of an evaluation file (`sessions/<s>/evaluations/<c>/<b>.yaml`). */
export function evaluationSessionDir(abs: string): string {
  return ancestor(abs, 3);
}

/**
 * Where an evaluation file sits, from its normalised absolute path
 * (`sessions/<session>/evaluations/<candidate>/<bloc>.yaml`): the names path.basename would give,
 * by slicing at separators (thousands of files per validate). `dir`: its session folder, when the
 * caller has it already.
 */
export function evaluationPlace(
  abs: string,
  dir = evaluationSessionDir(abs),
): { session: string; candidate: string; bloc: string } {
  const name = abs.lastIndexOf(path.sep);
  const folder = abs.lastIndexOf(path.sep, name - 1);
  return {
    session: dir.slice(dir.lastIndexOf(path.sep) + 1),
    candidate: abs.slice(folder + 1, name),
    bloc: abs.slice(name + 1).replace(/\.ya?ml$/i, ''),
  };
}

/**
 * Read, parse, schema-check and rule-check one evaluation file. Only the diagnostics are kept
 * (and the value when `keep` says a deliberation of its session will need it): not the text, nor
 * the YAML tree, so memory stays flat over thousands of files.
 */
export function checkEvaluationFile(
  f: EvaluationRef,
  env: CheckEnv,
  sessions: ReadonlyMap<string, SessionContext>,
  keep: ReadonlySet<string>,
): EvaluationChecked {
  const { lang } = env;
  const file = loadFileSync<Evaluation>(f.abs, f.display, f.kind, lang);
  if (!file.source || file.value === undefined) return { diagnostics: file.diagnostics };
  const dir = evaluationSessionDir(f.abs);
  const { session, ref } = sessions.get(dir) ?? {};
  const place = evaluationPlace(f.abs, dir);
  const ctx = ruleContext(lang);
  const e = file.value;
  checkEvaluation(ctx, file.source, e, place, session, ref);
  if (session?.double_marking === 'blind') {
    const jurors = new Set([
      ...(session.juries[place.bloc] ?? []),
      ...(e.entries ?? []).map((b) => b.juror),
    ]);
    const entries = readEntriesSync(dir, place.candidate, place.bloc, jurors, env);
    checkReconciled(ctx, file.source, e, session, ref, entries);
  }
  // A value is returned only when it passed its schema, so its only diagnostics are the rules'.
  const diagnostics = ctx.diagnostics;
  return keep.has(dir) ? { diagnostics, value: file.value } : { diagnostics };
}

/** The entries a joint evaluation is checked against (their own problems are reported on them). */
function readEntriesSync(
  sessionDir: string,
  candidate: string,
  bloc: string,
  jurors: Iterable<string>,
  env: CheckEnv,
): Map<string, ReadEntry> {
  const out = new Map<string, ReadEntry>();
  for (const juror of jurors) {
    // Juror ids come from files: a hostile id must not lead outside the entries folder.
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(juror) || juror.includes('..')) continue;
    const abs = path.join(sessionDir, 'entries', candidate, bloc, `${juror}.yaml`);
    const display = displayPath(abs, env.cwd);
    const loaded = loadFileSync<Entry>(abs, display, 'entry', env.lang);
    out.set(juror, { display, ...(loaded.value ? { value: loaded.value } : {}) });
  }
  return out;
}

/** What the main thread sends a checking worker. */
export interface WorkerInput extends CheckEnv {
  readonly refs: readonly EvaluationRef[];
  readonly sessions: readonly (readonly [string, SessionContext])[];
  readonly keep: readonly string[];
  /** Int32Array over it: [0] is the index of the next file nobody has taken yet. */
  readonly next: SharedArrayBuffer;
  readonly batch: number;
}

/** What a worker sends back for each batch it took. */
export interface WorkerBatch {
  readonly start: number;
  readonly results: readonly EvaluationChecked[];
}

/**
 * Take batches of files from a shared counter until none are left; both the main thread and the
 * workers run this, so a worker that starts late simply takes fewer batches.
 */
export function drain(
  input: Omit<WorkerInput, 'sessions' | 'keep' | 'next'>,
  next: Int32Array,
  sessions: ReadonlyMap<string, SessionContext>,
  keep: ReadonlySet<string>,
  onBatch: (batch: WorkerBatch) => void,
): void {
  const { refs, batch } = input;
  for (;;) {
    const start = Atomics.add(next, 0, batch);
    if (start >= refs.length) return;
    const results: EvaluationChecked[] = [];
    for (let i = start; i < Math.min(start + batch, refs.length); i++) {
      results.push(checkEvaluationFile(refs[i] as EvaluationRef, input, sessions, keep));
    }
    onBatch({ start, results });
  }
}

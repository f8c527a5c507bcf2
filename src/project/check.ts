import path from 'node:path';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import type { Entry, Evaluation, Session } from '../model/session.js';
import type { Referential } from '../model/types.js';
import { checkDeliberation } from '../rules/deliberation.js';
import { checkEntry } from '../rules/double-marking.js';
import { checkReferential, checkVersionsUnique } from '../rules/referential.js';
import { checkSession } from '../rules/session.js';
import { ruleContext, type RuleContext } from '../rules/context.js';
import type { FileKind } from '../schema/registry.js';
import type { SourceFile } from '../source/parse.js';
import { ancestor, displayPath, yamlFilesUnder } from './files.js';
import type { Deliberation } from './deliberation.js';
import { loadFileSync } from './load.js';
import {
  checkEvaluationFile,
  evaluationPlace,
  evaluationSessionDir,
  type EvaluationChecked,
  type SessionContext,
} from './check-evaluations.js';
import { startEvaluationPool, workerCount, type EvaluationPool } from './check-pool.js';
import {
  availableReferentials,
  rememberReferential,
  type LoadedReferential,
} from './referentials.js';

/** A file to check. */
export interface FileRef {
  readonly abs: string;
  readonly display: string;
  readonly kind: FileKind;
}

/** A checked file: its source and value when sound, and every diagnostic on it. */
export interface CheckedFile extends FileRef {
  readonly source?: SourceFile;
  readonly value?: unknown;
  readonly diagnostics: Diagnostic[];
}

/** Options of a check run. */
export interface CheckOptions {
  readonly lang: Lang;
  readonly cwd: string;
  /** Extra threads for evaluation files (default: by CPU count and project size; 0: none). */
  readonly workers?: number;
}

function load(f: FileRef, lang: Lang): CheckedFile {
  const l = loadFileSync<unknown>(f.abs, f.display, f.kind, lang);
  return { ...f, ...l, diagnostics: [...l.diagnostics] };
}

/** The session folder an evaluation or session file belongs to. */
export function sessionDirOf(file: FileRef): string | undefined {
  if (file.kind === 'session' || file.kind === 'deliberation') return ancestor(file.abs, 1);
  if (file.kind === 'evaluation') return ancestor(file.abs, 3);
  if (file.kind === 'entry') return ancestor(file.abs, 4);
  return undefined;
}

/** The project root of a session folder: the parent of `sessions/`. */
export function projectRootOf(sessionDir: string): string {
  return path.resolve(sessionDir, '..', '..');
}

/** Resolve a session's référentiel and report when it is missing or changed. */
export function checkPinnedReferential(
  ctx: RuleContext,
  source: SourceFile,
  session: Session,
  available: readonly LoadedReferential[],
): Referential | undefined {
  const { id, version, hash } = session.referential;
  const match = available.find((r) => r.ref.id === id && r.ref.version === version);
  if (!match) {
    const known =
      available
        .filter((r) => r.ref.id === id)
        .map((r) => r.ref.version)
        .join(', ') || '—';
    ctx.report(source, 'session/referential-missing', { id, version, known }, '/referential');
    return undefined;
  }
  if (match.hash !== hash) {
    ctx.report(
      source,
      'session/referential-changed',
      { id, version, expected: hash.slice(0, 19), actual: match.hash.slice(0, 19) },
      '/referential/hash',
    );
  }
  return match.ref;
}

/**
 * Check files: each one alone (syntax, schema, its own rules), then the rules across files: a
 * session against its référentiel, an evaluation against its session, a deliberation against the
 * evaluations it relied on. Never throws on bad input.
 *
 * Sessions and référentiels are checked first; then each evaluation is read, checked and released
 * one at a time (only its value is kept, for deliberations), so memory stays flat with thousands
 * of files.
 */
export async function checkProject(
  files: readonly FileRef[],
  options: CheckOptions,
): Promise<CheckedFile[]> {
  // Threads for a large project start first: their start-up overlaps the référentiels and sessions.
  const evaluationCount = files.filter((f) => f.kind === 'evaluation').length;
  const workers = workerCount(evaluationCount, options.workers);
  const pool = workers > 0 ? startEvaluationPool(workers) : undefined;
  try {
    return await checkFiles(files, options, pool);
  } finally {
    await pool?.close();
  }
}

async function checkFiles(
  files: readonly FileRef[],
  options: CheckOptions,
  pool: EvaluationPool | undefined,
): Promise<CheckedFile[]> {
  const { lang, cwd } = options;
  const out: CheckedFile[] = [];
  const byKind = (kind: FileKind) => files.filter((f) => f.kind === kind);

  // Sessions that evaluations and deliberations depend on are loaded (and reported) even when
  // not named; a deliberation needs every evaluation of its session.
  const sessionRefs = new Map<string, FileRef>();
  for (const f of byKind('session')) sessionRefs.set(path.dirname(f.abs), f);
  for (const f of files) {
    const dir = sessionDirOf(f);
    if (dir && !sessionRefs.has(dir)) {
      const abs = path.join(dir, 'session.yaml');
      sessionRefs.set(dir, { abs, display: displayPath(abs, cwd), kind: 'session' });
    }
  }
  const evaluationRefs = [...byKind('evaluation')];
  const named = new Set(evaluationRefs.map((f) => f.abs));
  for (const f of byKind('deliberation')) {
    for (const abs of await yamlFilesUnder(path.join(path.dirname(f.abs), 'evaluations'))) {
      if (named.has(abs)) continue;
      named.add(abs);
      evaluationRefs.push({ abs, display: displayPath(abs, cwd), kind: 'evaluation' });
    }
  }

  const referentialFiles: CheckedFile[] = [];
  for (const f of byKind('referential')) {
    const file = load(f, lang);
    if (file.value !== undefined && file.source) {
      const ctx = ruleContext(lang);
      checkReferential(ctx, file.source, file.value as Referential);
      file.diagnostics.push(...ctx.diagnostics);
      // Sound: the sessions pinning it below take it as it is, without reading it again.
      if (!file.diagnostics.some((d) => d.severity === 'error'))
        rememberReferential(f.abs, cwd, lang, file.source, file.value as Referential);
    }
    out.push(file);
    referentialFiles.push(file);
  }
  // Versions side by side are fine; the same id and version twice is ambiguous for a session.
  const versionsCtx = ruleContext(lang);
  checkVersionsUnique(
    versionsCtx,
    referentialFiles.flatMap((f) =>
      f.source && f.value !== undefined
        ? [{ abs: f.abs, source: f.source, ref: f.value as Referential }]
        : [],
    ),
  );
  for (const d of versionsCtx.diagnostics)
    referentialFiles.find((f) => f.source?.path === d.file)?.diagnostics.push(d);

  const referentialsByRoot = new Map<string, LoadedReferential[]>();
  const sessions = new Map<string, SessionContext>();
  for (const [dir, f] of sessionRefs) {
    const file = load(f, lang);
    out.push(file);
    if (!file.source || file.value === undefined) {
      sessions.set(dir, {});
      continue;
    }
    const root = projectRootOf(dir);
    let available = referentialsByRoot.get(root);
    if (!available) {
      available = await availableReferentials(root, cwd, lang);
      referentialsByRoot.set(root, available);
    }
    const ctx = ruleContext(lang);
    const session = file.value as Session;
    const ref = checkPinnedReferential(ctx, file.source, session, available);
    checkSession(ctx, file.source, session, ref, path.basename(dir));
    file.diagnostics.push(...ctx.diagnostics);
    sessions.set(dir, { session, ...(ref ? { ref } : {}) });
  }

  for (const f of byKind('entry')) {
    const file = load(f, lang);
    if (file.source && file.value !== undefined) {
      const dir = sessionDirOf(f) ?? '';
      const { session, ref } = sessions.get(dir) ?? {};
      const bloc = path.dirname(f.abs);
      const place = {
        session: path.basename(dir),
        candidate: path.basename(path.dirname(bloc)),
        bloc: path.basename(bloc),
        juror: path.basename(f.abs).replace(/\.ya?ml$/i, ''),
      };
      const ctx = ruleContext(lang);
      checkEntry(ctx, file.source, file.value as Entry, place, session, ref);
      file.diagnostics.push(...ctx.diagnostics);
    }
    out.push({ abs: f.abs, display: f.display, kind: f.kind, diagnostics: file.diagnostics });
  }

  const evaluations = new Map<string, Map<string, Evaluation>>();
  // Files that do not read: a decision resting on one is not reported as gone (it has its error).
  const unreadable = new Map<string, Set<string>>();
  const deliberationDirs = new Set(byKind('deliberation').map((f) => path.dirname(f.abs)));
  const env = { lang, cwd };
  const checked = pool
    ? await pool.check(evaluationRefs, env, sessions, deliberationDirs)
    : evaluationRefs.map((f) => checkEvaluationFile(f, env, sessions, deliberationDirs));
  evaluationRefs.forEach((f, i) => {
    const { diagnostics, value } = checked[i] as EvaluationChecked;
    // Only the diagnostics are kept: not the text, the YAML tree nor the value, except the
    // values a deliberation is checked against.
    const dir = evaluationSessionDir(f.abs);
    const { candidate, bloc } = evaluationPlace(f.abs, dir);
    const place = `${candidate}/${bloc}`;
    if (value) {
      let inSession = evaluations.get(dir);
      if (!inSession) evaluations.set(dir, (inSession = new Map<string, Evaluation>()));
      inSession.set(place, value);
    } else {
      let inSession = unreadable.get(dir);
      if (!inSession) unreadable.set(dir, (inSession = new Set<string>()));
      inSession.add(place);
    }
    out.push({ abs: f.abs, display: f.display, kind: f.kind, diagnostics });
  });

  for (const f of byKind('deliberation')) {
    const file = load(f, lang);
    if (file.source && file.value !== undefined) {
      const dir = path.dirname(f.abs);
      const ctx = ruleContext(lang);
      checkDeliberation(
        ctx,
        file.source,
        file.value as Deliberation,
        path.basename(dir),
        sessions.get(dir)?.session,
        evaluations.get(dir) ?? new Map<string, Evaluation>(),
        unreadable.get(dir),
      );
      file.diagnostics.push(...ctx.diagnostics);
    }
    out.push(file);
  }
  return out;
}

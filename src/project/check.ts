import path from 'node:path';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import type { Evaluation, Session } from '../model/session.js';
import type { Referential } from '../model/types.js';
import { checkDeliberation } from '../rules/deliberation.js';
import { checkEvaluation } from '../rules/evaluation.js';
import { checkReferential } from '../rules/referential.js';
import { checkSession } from '../rules/session.js';
import { ruleContext, type RuleContext } from '../rules/context.js';
import type { FileKind } from '../schema/registry.js';
import type { SourceFile } from '../source/parse.js';
import { displayPath, yamlFilesUnder } from './files.js';
import type { Deliberation } from './deliberation.js';
import { loadFile } from './load.js';
import { availableReferentials, type LoadedReferential } from './referentials.js';

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
}

async function load(f: FileRef, lang: Lang): Promise<CheckedFile> {
  const l = await loadFile<unknown>(f.abs, f.display, f.kind, lang);
  return { ...f, ...l, diagnostics: [...l.diagnostics] };
}

/** The session folder an evaluation or session file belongs to. */
export function sessionDirOf(file: FileRef): string | undefined {
  if (file.kind === 'session' || file.kind === 'deliberation') return path.dirname(file.abs);
  if (file.kind === 'evaluation') return path.resolve(file.abs, '..', '..', '..');
  return undefined;
}

/** The project root of a session folder: the parent of `sessions/`. */
export function projectRootOf(sessionDir: string): string {
  return path.resolve(sessionDir, '..', '..');
}

/** The final and draft evaluations of a session folder among checked files, by "candidate/bloc". */
function evaluationsOf(
  checked: readonly CheckedFile[],
  sessionDir: string,
): Map<string, Evaluation> {
  const out = new Map<string, Evaluation>();
  for (const f of checked) {
    if (f.kind !== 'evaluation' || f.value === undefined || sessionDirOf(f) !== sessionDir)
      continue;
    const candidate = path.basename(path.dirname(f.abs));
    const bloc = path.basename(f.abs).replace(/\.ya?ml$/i, '');
    out.set(`${candidate}/${bloc}`, f.value as Evaluation);
  }
  return out;
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
 * session against its référentiel, an evaluation against its session. Never throws on bad input.
 */
export async function checkProject(
  files: readonly FileRef[],
  options: CheckOptions,
): Promise<CheckedFile[]> {
  const { lang, cwd } = options;
  const checked = await Promise.all(files.map((f) => load(f, lang)));

  // Sessions that evaluations depend on are loaded (and reported) even when not named.
  const sessions = new Map<string, CheckedFile>();
  for (const f of checked) if (f.kind === 'session') sessions.set(path.dirname(f.abs), f);
  for (const f of [...checked]) {
    const dir = sessionDirOf(f);
    if (dir && !sessions.has(dir)) {
      const abs = path.join(dir, 'session.yaml');
      const extra = await load({ abs, display: displayPath(abs, cwd), kind: 'session' }, lang);
      sessions.set(dir, extra);
      checked.push(extra);
    }
  }

  // A deliberation is checked against every evaluation of its session: load those not named.
  const named = new Set(checked.map((f) => f.abs));
  for (const f of [...checked]) {
    if (f.kind !== 'deliberation') continue;
    const evaluationsDir = path.join(path.dirname(f.abs), 'evaluations');
    for (const abs of await yamlFilesUnder(evaluationsDir)) {
      if (named.has(abs)) continue;
      named.add(abs);
      checked.push(await load({ abs, display: displayPath(abs, cwd), kind: 'evaluation' }, lang));
    }
  }

  const referentialsByRoot = new Map<string, LoadedReferential[]>();
  const refOfSession = new Map<string, Referential | undefined>();
  for (const [dir, file] of sessions) {
    if (!file.source || file.value === undefined) continue;
    const root = projectRootOf(dir);
    let available = referentialsByRoot.get(root);
    if (!available) {
      available = await availableReferentials(root, cwd, lang);
      referentialsByRoot.set(root, available);
    }
    const ctx = ruleContext(lang);
    const session = file.value as Session;
    const ref = checkPinnedReferential(ctx, file.source, session, available);
    refOfSession.set(dir, ref);
    checkSession(ctx, file.source, session, ref, path.basename(dir));
    file.diagnostics.push(...ctx.diagnostics);
  }

  for (const file of checked) {
    if (file.value === undefined || !file.source) continue;
    const ctx = ruleContext(lang);
    if (file.kind === 'referential') {
      checkReferential(ctx, file.source, file.value as Referential);
    } else if (file.kind === 'evaluation') {
      const dir = sessionDirOf(file) ?? '';
      const sessionFile = sessions.get(dir);
      const session = sessionFile?.value as Session | undefined;
      const place = {
        session: path.basename(dir),
        candidate: path.basename(path.dirname(file.abs)),
        bloc: path.basename(file.abs).replace(/\.ya?ml$/i, ''),
      };
      checkEvaluation(
        ctx,
        file.source,
        file.value as Evaluation,
        place,
        session,
        refOfSession.get(dir),
      );
    } else if (file.kind === 'deliberation') {
      const dir = path.dirname(file.abs);
      const session = sessions.get(dir)?.value as Session | undefined;
      checkDeliberation(
        ctx,
        file.source,
        file.value as Deliberation,
        path.basename(dir),
        session,
        evaluationsOf(checked, dir),
      );
    }
    file.diagnostics.push(...ctx.diagnostics);
  }
  return checked;
}

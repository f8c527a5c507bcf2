import path from 'node:path';
import type { Io } from '../cli/io.js';
import { UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import { sortDiagnostics, type Diagnostic, type Lang } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/messages.js';
import type { FileKind } from '../schema/registry.js';
import { linkDiagnostic } from '../project/confine.js';
import { classify, displayPath, pathKind, yamlFilesUnder } from '../project/files.js';
import { checkProject, type CheckedFile } from '../project/check.js';
import { noStyle, reporters, terminalStyle, type ReporterName } from '../report/reporters.js';
import { gradedUnits } from '../model/types.js';
import { readText } from '../project/load.js';
import { resolveReferential } from '../project/referentials.js';
import { findProjectRoot } from '../project/root.js';
import { schemaCopyDiagnostic } from '../project/schema-line.js';
import { findSessionDir, openSession } from '../project/session.js';

/** Options of `certif validate`. */
export interface ValidateOptions {
  readonly format: ReporterName;
  readonly strict: boolean;
  readonly lang: Lang;
}

/**
 * Resolve the files to check: the given files and folders, or the project's own folders.
 * `mayBeLinks` receives the paths given as files and the symbolic links the listings met.
 */
export async function resolveTargets(
  paths: readonly string[],
  io: Io,
  lang: Lang,
  mayBeLinks?: Set<string>,
): Promise<string[]> {
  const targets: string[] = [];
  // Without paths: the project the current folder belongs to (run from inside a session too).
  const project = paths.length > 0 ? io.cwd : await findProjectRoot(io.cwd).catch(() => io.cwd);
  const roots =
    paths.length > 0
      ? paths.map((p) => path.resolve(io.cwd, p))
      : [path.join(project, 'referentials'), path.join(project, 'sessions')];
  let found = 0;
  for (const root of roots) {
    const kind = await pathKind(root);
    if (kind === 'missing') {
      if (paths.length > 0) {
        throw new UsageError(
          pick(
            lang,
            `Chemin introuvable : ${displayPath(root, io.cwd)}`,
            `No such path: ${displayPath(root, io.cwd)}`,
          ),
          pick(
            lang,
            'Vérifiez le chemin donné à certif validate.',
            'Check the path given to certif validate.',
          ),
        );
      }
      continue;
    }
    found += 1;
    if (kind !== 'dir') {
      // A file given by name is read as what its place says: only YAML and CSV files are certif's.
      if (!/\.(?:ya?ml|csv)$/i.test(root)) {
        throw new UsageError(
          pick(
            lang,
            `${displayPath(root, io.cwd)} n’est pas un fichier de certif : certif validate vérifie des fichiers YAML (.yaml, .yml) et des CSV de candidats.`,
            `${displayPath(root, io.cwd)} is not a certif file: certif validate checks YAML files (.yaml, .yml) and candidate CSVs.`,
          ),
          pick(
            lang,
            'Donnez un fichier .yaml ou .csv, un dossier, ou rien (tout le projet).',
            'Give a .yaml or .csv file, a folder, or nothing (the whole project).',
          ),
        );
      }
      targets.push(root);
      mayBeLinks?.add(root);
      continue;
    }
    const inside = await yamlFilesUnder(root, mayBeLinks);
    if (inside.length === 0 && paths.length > 0) {
      // A mistyped folder in a CI job must not pass as "no problem".
      throw new UsageError(
        pick(
          lang,
          `Aucun fichier YAML dans ${displayPath(root, io.cwd)} : rien à vérifier.`,
          `No YAML file in ${displayPath(root, io.cwd)}: nothing to check.`,
        ),
        pick(
          lang,
          'Vérifiez le chemin donné à certif validate.',
          'Check the path given to certif validate.',
        ),
      );
    }
    targets.push(...inside);
  }
  if (paths.length === 0 && found === 0) {
    throw new UsageError(
      pick(
        lang,
        'Aucun dossier referentials/ ni sessions/ ici.',
        'No referentials/ or sessions/ folder here.',
      ),
      pick(
        lang,
        'Lancez certif validate depuis le dossier du projet, ou donnez des fichiers ou des dossiers.',
        'Run certif validate from the project folder, or give files or folders.',
      ),
    );
  }
  return [...new Set(targets)];
}

/**
 * Check a candidate import CSV against the blocs of the session it would go to (the session
 * containing it, else the project's only session, else the project's référentiel).
 */
async function checkCsv(abs: string, io: Io, lang: Lang): Promise<Diagnostic[]> {
  const display = displayPath(abs, io.cwd);
  const read = await readText(abs, display, lang);
  if (read.text === undefined) return read.diagnostics;
  let unitIds: string[] | undefined;
  try {
    const ctx = await openSession(
      await findSessionDir(undefined, path.dirname(abs), lang),
      io.cwd,
      lang,
    );
    unitIds = ctx.units.map((u) => u.id);
  } catch {
    try {
      const root = await findProjectRoot(path.dirname(abs));
      unitIds = gradedUnits((await resolveReferential(undefined, root, io.cwd, lang)).ref).map(
        (u) => u.id,
      );
    } catch {
      unitIds = undefined;
    }
  }
  const { parseCandidatesCsv } = await import('../project/candidates-csv.js');
  return parseCandidatesCsv(read.text, display, unitIds, lang).diagnostics;
}

const isCsv = (file: string) => /\.csv$/i.test(file);

/** `sessions/<s>/entries/` of a displayed path (the folder the file is out of place in). */
function entriesFolder(display: string): string {
  const m = /^(.*?sessions\/[^/]+\/entries\/)/.exec(display);
  return m?.[1] ?? 'entries/';
}

/** `certif validate [paths...]`: check files and print a report; 0 valid, 1 invalid. */
export async function validateCommand(
  paths: readonly string[],
  options: ValidateOptions,
  io: Io,
): Promise<number> {
  // Paths given by the user, and the links a listing met: the only targets that may be links.
  const mayBeLinks = new Set<string>();
  const targets = await resolveTargets(paths, io, options.lang, mayBeLinks);
  const csvs = targets.filter(isCsv);
  // A link is reported as such wherever it sits (under entries/ too), and never read.
  const links: Diagnostic[] = [];
  const classified = targets
    .filter((t) => !isCsv(t))
    .map((abs) => ({ abs, display: displayPath(abs, io.cwd), kind: classify(abs) }))
    .filter((f) => {
      const linked = mayBeLinks.has(f.abs)
        ? linkDiagnostic(f.abs, f.display, options.lang)
        : undefined;
      if (linked) links.push(linked);
      return !linked;
    });
  const files = classified.filter(
    (f): f is typeof f & { kind: FileKind } => f.kind !== 'misplaced',
  );
  // Under entries/, a file not at an entry's place is said as such, not read as a référentiel.
  const misplaced = classified
    .filter((f) => f.kind === 'misplaced')
    .map((f) =>
      diagnostic(
        options.lang,
        'file/misplaced',
        { folder: entriesFolder(f.display) },
        { file: f.display, line: 1, column: 1 },
      ),
    );
  const threads = io.env.CERTIF_WORKERS;
  const checked: CheckedFile[] = await checkProject(files, {
    lang: options.lang,
    cwd: io.cwd,
    ...(threads !== undefined && /^\d+$/.test(threads) ? { workers: Number(threads) } : {}),
  });
  const all = [...checked.flatMap((f) => f.diagnostics), ...misplaced, ...links];
  for (const csv of csvs) all.push(...(await checkCsv(csv, io, options.lang)));
  if (paths.length === 0) {
    // Read-only: a missing or stale copy of the schemas is said (info), never written nor failed.
    const root = await findProjectRoot(io.cwd);
    const stale = await schemaCopyDiagnostic(root, options.lang, io.cwd);
    if (stale) all.push(stale);
  }
  const diagnostics: Diagnostic[] = sortDiagnostics(all);
  const reporter = reporters[options.format];
  const color = options.format === 'stylish' && io.stdoutIsTTY && !io.env.NO_COLOR;
  const style = color ? await terminalStyle() : noStyle;
  io.stdout.write(
    reporter(diagnostics, {
      lang: options.lang,
      style,
      files: classified.length + csvs.length,
      strict: options.strict,
    }),
  );
  const failing = diagnostics.some(
    (d) => d.severity === 'error' || (options.strict && d.severity === 'warning'),
  );
  return failing ? 1 : 0;
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, InvalidFilesError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { contentHash } from '../model/hash.js';
import type { Referential } from '../model/types.js';
import { ruleContext } from '../rules/context.js';
import { checkReferential } from '../rules/referential.js';
import type { SourceFile } from '../source/parse.js';
import { displayPath, pathKind } from './files.js';
import { loadFile } from './load.js';

/** The référentiels shipped with certif. */
export const bundledDir = fileURLToPath(new URL('../../referentials/', import.meta.url));

/** A référentiel loaded and checked, with where it came from and its content hash. */
export interface LoadedReferential {
  readonly ref: Referential;
  readonly abs: string;
  readonly source: SourceFile;
  readonly hash: string;
  readonly bundled: boolean;
}

/**
 * A référentiel file that failed its checks, with the id and version it declares when they can
 * be read: so a command asked for that id can say the file exists but is not valid yet.
 */
export class InvalidReferentialError extends InvalidFilesError {
  constructor(
    message: string,
    diagnostics: InvalidFilesError['diagnostics'],
    readonly abs: string,
    readonly id?: string,
    readonly version?: string,
  ) {
    super(message, diagnostics);
  }
}

const cache = new Map<string, { stamp: string; result: Promise<LoadedReferential> }>();

/**
 * Load and fully check one référentiel file; invalid files raise InvalidFilesError. Cached per
 * process while the file is unchanged (a command may need the same référentiel several times).
 */
export function loadReferentialFile(
  abs: string,
  cwd: string,
  lang: Lang,
): Promise<LoadedReferential> {
  const stamp = stampOf(abs, cwd, lang);
  const hit = cache.get(abs);
  if (hit && stamp && hit.stamp === stamp) return hit.result;
  const result = loadReferentialUncached(abs, cwd, lang);
  if (stamp) cache.set(abs, { stamp, result });
  return result;
}

/** What the cache compares to know a file is unchanged ('' when it cannot be read). */
function stampOf(abs: string, cwd: string, lang: Lang): string {
  try {
    const info = statSync(abs);
    return `${info.mtimeMs}:${info.size}:${lang}:${cwd}`;
  } catch {
    return '';
  }
}

/**
 * Record a référentiel file that another reader already loaded and checked without error (see
 * checkProject, which reads the project's référentiels before the sessions that pin them), so
 * that it is not read, parsed and checked a second time in the same process.
 */
export function rememberReferential(
  abs: string,
  cwd: string,
  lang: Lang,
  source: SourceFile,
  ref: Referential,
): void {
  const stamp = stampOf(abs, cwd, lang);
  if (!stamp) return;
  const loaded: LoadedReferential = {
    ref,
    abs,
    source,
    hash: contentHash(ref),
    bundled: abs.startsWith(bundledDir),
  };
  cache.set(abs, { stamp, result: Promise.resolve(loaded) });
}

async function loadReferentialUncached(
  abs: string,
  cwd: string,
  lang: Lang,
): Promise<LoadedReferential> {
  const display = displayPath(abs, cwd);
  const loaded = await loadFile<Referential>(abs, display, 'referential', lang);
  const diagnostics = [...loaded.diagnostics];
  if (loaded.value && loaded.source) {
    // A first pass without positions; positions only if there is an error to show.
    const quick = ruleContext(lang, { positions: false });
    checkReferential(quick, loaded.source, loaded.value);
    const ctx = quick.diagnostics.some((d) => d.severity === 'error') ? ruleContext(lang) : quick;
    if (ctx !== quick) checkReferential(ctx, loaded.source, loaded.value);
    diagnostics.push(...ctx.diagnostics);
  }
  if (!loaded.value || !loaded.source || diagnostics.some((d) => d.severity === 'error')) {
    // The schema may have failed elsewhere: the id and version are still read when they are text.
    const raw = loaded.source?.value as { id?: unknown; version?: unknown } | null | undefined;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    throw new InvalidReferentialError(
      pick(lang, `référentiel invalide : ${display}`, `invalid référentiel: ${display}`),
      diagnostics,
      abs,
      text(raw?.id),
      text(raw?.version),
    );
  }
  return {
    ref: loaded.value,
    abs,
    source: loaded.source,
    hash: contentHash(loaded.value),
    bundled: abs.startsWith(bundledDir),
  };
}

function readOrEmpty(abs: string): string {
  try {
    return readFileSync(abs, 'utf8');
  } catch {
    return '';
  }
}

/** The YAML files of a folder, sorted (read synchronously: see `pathKind`). */
function yamlIn(dir: string): string[] {
  try {
    const names = readdirSync(dir);
    return names
      .filter((n) => /\.ya?ml$/i.test(n))
      .sort()
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/** Compare dotted versions numerically ("1.10" > "1.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** What a project's référentiel files hold: the usable ones, the invalid ones, the duplicates. */
export interface ReferentialScan {
  /** One per id and version: the project's own file first, then the bundled one. */
  readonly usable: LoadedReferential[];
  /** Files that failed their checks (`certif validate` details them). */
  readonly invalid: InvalidReferentialError[];
  /** `id@version` → the project's own valid files that declare it, when there are two or more. */
  readonly duplicates: ReadonlyMap<string, readonly string[]>;
}

/**
 * Every référentiel file of the project (`referentials/`), then the bundled ones. A bundled
 * référentiel with the same id and version as a project file is shadowed by it (that is the copy
 * `certif init` makes); two project files with the same id and version are a duplicate.
 */
export async function scanReferentials(
  root: string,
  cwd: string,
  lang: Lang,
): Promise<ReferentialScan> {
  const own = yamlIn(path.join(root, 'referentials'));
  const bundled =
    path.resolve(root, 'referentials') === path.resolve(bundledDir) ? [] : yamlIn(bundledDir);
  const usable: LoadedReferential[] = [];
  const invalid: InvalidReferentialError[] = [];
  const ownFiles = new Map<string, string[]>();
  const ownSet = new Set(own);
  // A bundled file identical to a project file is the copy `certif init` made: shadowed by it
  // whatever it holds, so it is not read and checked twice.
  const ownTexts = new Set(own.map(readOrEmpty));
  const shadowed = (abs: string) => !ownSet.has(abs) && ownTexts.has(readOrEmpty(abs));
  for (const abs of [...own, ...bundled]) {
    if (shadowed(abs)) continue;
    try {
      const loaded = await loadReferentialFile(abs, cwd, lang);
      const key = `${loaded.ref.id}@${loaded.ref.version}`;
      if (ownSet.has(abs)) ownFiles.set(key, [...(ownFiles.get(key) ?? []), abs]);
      if (!usable.some((o) => o.ref.id === loaded.ref.id && o.ref.version === loaded.ref.version))
        usable.push(loaded);
    } catch (error) {
      if (error instanceof InvalidReferentialError) invalid.push(error);
      else if (!(error instanceof InputError)) throw error;
    }
  }
  const duplicates = new Map([...ownFiles].filter(([, files]) => files.length > 1));
  return { usable, invalid, duplicates };
}

/**
 * Every référentiel the project can use: its own `referentials/` folder first, then the bundled
 * ones. Files that fail their checks are skipped here (`certif validate` reports them).
 */
export async function availableReferentials(
  root: string,
  cwd: string,
  lang: Lang,
): Promise<LoadedReferential[]> {
  return (await scanReferentials(root, cwd, lang)).usable;
}

/**
 * Refuse an id and version held by two files of the project: a session could not tell which one
 * it means, and silently taking the first would grade against the wrong text.
 */
export function assertUnique(
  scan: ReferentialScan,
  id: string,
  version: string,
  cwd: string,
  lang: Lang,
): void {
  const files = scan.duplicates.get(`${id}@${version}`);
  if (!files) return;
  const names = files.map((f) => displayPath(f, cwd)).join(pick(lang, ' et ', ' and '));
  throw new InputError(
    pick(
      lang,
      `Deux fichiers déclarent le référentiel ${id} version ${version} : ${names}.`,
      `Two files declare référentiel ${id} version ${version}: ${names}.`,
    ),
    pick(
      lang,
      'Supprimez la copie, ou donnez une nouvelle version (version:) au fichier modifié ; certif validate les signale (referential/duplicate-version).',
      'Remove the copy, or give the changed file a new version (version:); certif validate reports them (referential/duplicate-version).',
    ),
  );
}

/**
 * The error for an id (and version) asked for that only invalid files declare: the référentiel
 * exists but cannot be used yet, with its diagnostics; undefined when no file declares it.
 */
function notValidYet(
  scan: ReferentialScan,
  id: string,
  version: string | undefined,
  cwd: string,
  lang: Lang,
): InvalidFilesError | undefined {
  const bad = scan.invalid.filter((e) => e.id === id && (!version || e.version === version));
  if (bad.length === 0) return undefined;
  const names = bad.map((e) => displayPath(e.abs, cwd)).join(', ');
  const name = version ? `${id}@${version}` : id;
  return new InvalidFilesError(
    pick(
      lang,
      `Le référentiel ${name} existe (${names}) mais n’est pas encore valide. Corrigez ou complétez les points ci-dessous (places « À COMPLÉTER » d’un squelette importé), puis vérifiez avec certif validate ${names}.`,
      `Référentiel ${name} exists (${names}) but is not valid yet. Fix or fill in the points below (places marked "À COMPLÉTER" in an imported skeleton), then check with certif validate ${names}.`,
    ),
    bad.flatMap((e) => e.diagnostics),
  );
}

/**
 * The file a `--referential` spec names when it is a path (it has a `/` or ends in .yaml/.yml),
 * refused when there is no such file; undefined for an id (`id` or `id@version`).
 */
export async function referentialFilePath(
  spec: string | undefined,
  cwd: string,
  lang: Lang,
): Promise<string | undefined> {
  if (!spec || !(spec.includes('/') || spec.includes(path.sep) || /\.ya?ml$/i.test(spec)))
    return undefined;
  const abs = path.resolve(cwd, spec);
  if ((await pathKind(abs)) !== 'file') {
    throw new UsageError(
      pick(lang, `Référentiel introuvable : ${spec}`, `No such référentiel: ${spec}`),
      pick(
        lang,
        'Donnez le chemin d’un fichier YAML ou l’id d’un référentiel.',
        'Give the path of a YAML file or the id of a référentiel.',
      ),
    );
  }
  return abs;
}

/**
 * Resolve `--referential`: a path to a file, or an id with an optional `@version` (newest
 * version otherwise). Without a spec: the project's only référentiel (refused when it has several),
 * or the bundled one when the project has none.
 */
export async function resolveReferential(
  spec: string | undefined,
  root: string,
  cwd: string,
  lang: Lang,
): Promise<LoadedReferential> {
  const file = await referentialFilePath(spec, cwd, lang);
  if (file) return loadReferentialFile(file, cwd, lang);
  const scan = await scanReferentials(root, cwd, lang);
  const all = scan.usable;
  const [id, wanted] = spec ? spec.split('@') : [undefined, undefined];
  const candidates = all.filter(
    (r) => (id ? r.ref.id === id : true) && (wanted ? r.ref.version === wanted : true),
  );
  if (!spec) {
    // The project's own référentiels, valid or not yet: the bundled one is only for a project
    // that has none, never a silent stand-in for one of its own.
    const own = all.filter((r) => !r.bundled);
    const ids = [
      ...new Set([...own.map((r) => r.ref.id), ...scan.invalid.map((e) => e.id ?? '?')]),
    ];
    if (ids.length > 1) {
      throw new UsageError(
        pick(
          lang,
          `Le projet a plusieurs référentiels (${ids.sort().join(', ')}) : lequel ?`,
          `The project has several référentiels (${ids.sort().join(', ')}): which one?`,
        ),
        pick(
          lang,
          `Donnez son id (ou id@version) à la commande, par exemple ${ids[0] ?? ''}.`,
          `Give the command its id (or id@version), for example ${ids[0] ?? ''}.`,
        ),
      );
    }
    const only = ids[0];
    const best = newest(only === undefined ? all.filter((r) => r.bundled) : own);
    if (best) {
      assertUnique(scan, best.ref.id, best.ref.version, cwd, lang);
      return best;
    }
    if (only !== undefined) {
      const invalid = notValidYet(scan, only, undefined, cwd, lang);
      if (invalid) throw invalid;
    }
  }
  const best = newest(candidates);
  if (!best && id) {
    const invalid = notValidYet(scan, id, wanted, cwd, lang);
    if (invalid) throw invalid;
  }
  if (!best) {
    const known = [...new Set(all.map((r) => `${r.ref.id}@${r.ref.version}`))].join(', ') || '—';
    throw new UsageError(
      pick(lang, `Référentiel inconnu : ${spec ?? ''}`, `Unknown référentiel: ${spec ?? ''}`),
      pick(lang, `Référentiels disponibles : ${known}.`, `Available référentiels: ${known}.`),
    );
  }
  assertUnique(scan, best.ref.id, best.ref.version, cwd, lang);
  return best;
}

function newest(list: readonly LoadedReferential[]): LoadedReferential | undefined {
  return [...list].sort((a, b) => compareVersions(b.ref.version, a.ref.version))[0];
}

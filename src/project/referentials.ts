import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
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
  let stamp = '';
  try {
    const info = statSync(abs);
    stamp = `${info.mtimeMs}:${info.size}:${lang}:${cwd}`;
  } catch {
    // Missing: loading reports it.
  }
  const hit = cache.get(abs);
  if (hit && stamp && hit.stamp === stamp) return hit.result;
  const result = loadReferentialUncached(abs, cwd, lang);
  if (stamp) cache.set(abs, { stamp, result });
  return result;
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
    throw new InvalidFilesError(
      pick(lang, `référentiel invalide : ${display}`, `invalid référentiel: ${display}`),
      diagnostics,
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

async function yamlIn(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
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

/**
 * Every référentiel the project can use: its own `referentials/` folder first, then the bundled
 * ones. Files that fail their checks are skipped here (`certif validate` reports them).
 */
export async function availableReferentials(
  root: string,
  cwd: string,
  lang: Lang,
): Promise<LoadedReferential[]> {
  const own = await yamlIn(path.join(root, 'referentials'));
  const bundled =
    path.resolve(root, 'referentials') === path.resolve(bundledDir) ? [] : await yamlIn(bundledDir);
  const out: LoadedReferential[] = [];
  for (const abs of [...own, ...bundled]) {
    try {
      const loaded = await loadReferentialFile(abs, cwd, lang);
      if (!out.some((o) => o.ref.id === loaded.ref.id && o.ref.version === loaded.ref.version))
        out.push(loaded);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }
  return out;
}

/**
 * Resolve `--referential`: a path to a file, or an id with an optional `@version` (newest
 * version otherwise). Without a spec: the only référentiel of the project, else the bundled one.
 */
export async function resolveReferential(
  spec: string | undefined,
  root: string,
  cwd: string,
  lang: Lang,
): Promise<LoadedReferential> {
  if (spec && (spec.includes('/') || spec.includes(path.sep) || /\.ya?ml$/i.test(spec))) {
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
    return loadReferentialFile(abs, cwd, lang);
  }
  const all = await availableReferentials(root, cwd, lang);
  const [id, wanted] = spec ? spec.split('@') : [undefined, undefined];
  const candidates = all.filter(
    (r) => (id ? r.ref.id === id : true) && (wanted ? r.ref.version === wanted : true),
  );
  if (!spec) {
    const own = all.filter((r) => !r.bundled);
    const ids = new Set(own.map((r) => r.ref.id));
    const pool = ids.size === 1 ? own : all.filter((r) => r.bundled);
    const best = newest(pool);
    if (best) return best;
  }
  const best = newest(candidates);
  if (!best) {
    const known = [...new Set(all.map((r) => `${r.ref.id}@${r.ref.version}`))].join(', ') || '—';
    throw new UsageError(
      pick(lang, `Référentiel inconnu : ${spec ?? ''}`, `Unknown référentiel: ${spec ?? ''}`),
      pick(lang, `Référentiels disponibles : ${known}.`, `Available référentiels: ${known}.`),
    );
  }
  return best;
}

function newest(list: readonly LoadedReferential[]): LoadedReferential | undefined {
  return [...list].sort((a, b) => compareVersions(b.ref.version, a.ref.version))[0];
}

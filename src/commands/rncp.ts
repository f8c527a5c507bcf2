import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { InputError, InvalidFilesError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import { countBySeverity, sortDiagnostics, type Lang } from '../diagnostics/diagnostic.js';
import type { Referential } from '../model/types.js';
import { displayPath, pathKind } from '../project/files.js';
import { checkText, loadFile } from '../project/load.js';
import {
  referentialFilePath,
  resolveReferential,
  scanReferentials,
} from '../project/referentials.js';
import { enclosingProjectRoot, findProjectRoot } from '../project/root.js';
import { ensureProjectSchemas, schemaComment } from '../project/schema-line.js';
import {
  noStyle,
  reporters,
  stylish,
  terminalStyle,
  type ReporterName,
} from '../report/reporters.js';
import { checkDrift } from '../rncp/drift.js';
import { scanExport, type Progress, type RncpFiche } from '../rncp/export-reader.js';
import { buildSkeleton } from '../rncp/skeleton.js';
import { oneLine } from '../rncp/text.js';
import { ruleContext } from '../rules/context.js';
import { checkReferential } from '../rules/referential.js';
import type { SourceFile } from '../source/parse.js';
import { writeFileAtomic } from '../source/write.js';

const SLUG = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SEARCH_URL = 'https://www.francecompetences.fr/recherche_certificationprofessionnelle/';

/** « RNCP37488 », « rncp37488 » or « 37488 » → RNCP37488. */
export function ficheNumber(spec: string, lang: Lang): string {
  const m = /^\s*(?:RNCP)?\s*([0-9]{1,6})\s*$/i.exec(spec);
  if (!m) {
    throw new UsageError(
      pick(lang, `Numéro de fiche invalide : « ${spec} »`, `Invalid fiche number: "${spec}"`),
      pick(lang, 'Donnez-le sous la forme RNCP37488.', 'Give it as RNCP37488.'),
    );
  }
  return `RNCP${String(Number(m[1]))}`;
}

/** Bytes read / total on stderr, only on a terminal; returns the callback and a closer. */
function progressLine(
  io: Io,
  lang: Lang,
): { onProgress?: (p: Progress) => void; done: () => void } {
  if (!io.stderrIsTTY) return { done: () => undefined };
  const mb = (n: number) => (n / 1_048_576).toFixed(1);
  let last = -1;
  let shown = false;
  return {
    onProgress: (p) => {
      const pct = p.total > 0 ? Math.floor((p.bytes * 100) / p.total) : 0;
      if (pct === last) return;
      last = pct;
      shown = true;
      io.stderr.write(
        `\r${pick(lang, 'Lecture de l’export', 'Reading the export')} : ${mb(p.bytes)} / ${mb(p.total)} ${pick(lang, 'Mo', 'MB')} (${pct} %)`,
      );
    },
    done: () => {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}

async function exportPath(
  file: string,
  io: Io,
  lang: Lang,
): Promise<{ abs: string; display: string }> {
  const abs = path.resolve(io.cwd, file);
  const display = displayPath(abs, io.cwd);
  const kind = await pathKind(abs);
  if (kind !== 'file') {
    throw new UsageError(
      kind === 'dir'
        ? pick(
            lang,
            `${display} est un dossier, pas un export XML.`,
            `${display} is a folder, not an XML export.`,
          )
        : pick(lang, `Export introuvable : ${display}`, `No such export: ${display}`),
      pick(
        lang,
        'Donnez le fichier XML de l’export RNCP de France Compétences (data.gouv.fr, flux 4.1).',
        'Give the XML file of the France Compétences RNCP export (data.gouv.fr, flux 4.1).',
      ),
    );
  }
  return { abs, display };
}

/** Read the export until `number` is found (or to its end). */
async function findFiche(
  abs: string,
  display: string,
  number: string,
  io: Io,
  lang: Lang,
): Promise<{ fiche?: RncpFiche; count: number; flux: string }> {
  let fiche: RncpFiche | undefined;
  const progress = progressLine(io, lang);
  try {
    const scan = await scanExport(
      abs,
      display,
      (f) => {
        if (f.number !== number) return false;
        fiche = f;
        return true;
      },
      { lang, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) },
    );
    return { ...(fiche ? { fiche } : {}), count: scan.fiches, flux: scan.flux };
  } finally {
    progress.done();
  }
}

/** Options of `certif rncp import`. */
export interface RncpImportOptions {
  readonly fiche?: string | undefined;
  readonly out?: string | undefined;
  readonly id?: string | undefined;
  readonly force: boolean;
  readonly lang: Lang;
}

/**
 * `certif rncp import <export.xml> --fiche RNCP<n>`: write a référentiel skeleton built from one
 * fiche of the export. 0 written, 1 unknown fiche, bad XML or existing file, 2 usage.
 */
export async function rncpImportCommand(
  file: string,
  options: RncpImportOptions,
  io: Io,
): Promise<number> {
  const { lang } = options;
  if (!options.fiche) {
    throw new UsageError(
      pick(lang, 'Quelle fiche importer ? --fiche manque.', 'Which fiche? --fiche is missing.'),
      pick(
        lang,
        `Ex. certif rncp import ${file} --fiche RNCP37488 ; certif rncp list ${file} liste les fiches.`,
        `E.g. certif rncp import ${file} --fiche RNCP37488; certif rncp list ${file} lists the fiches.`,
      ),
    );
  }
  const number = ficheNumber(options.fiche, lang);
  const id = options.id ?? number.toLowerCase();
  if (!SLUG.test(id)) {
    throw new UsageError(
      pick(lang, `Identifiant invalide : « ${id} »`, `Invalid id: "${id}"`),
      pick(
        lang,
        'Minuscules, chiffres, « - », « _ » ou « . » (ex. cybersecurite).',
        'Lowercase letters, digits, "-", "_" or "." (e.g. cybersecurite).',
      ),
    );
  }
  const toStdout = options.out === '-';
  const target = toStdout
    ? undefined
    : options.out
      ? path.resolve(io.cwd, options.out)
      : path.join(await findProjectRoot(io.cwd), 'referentials', `${id}.yaml`);
  const targetDisplay = target ? displayPath(target, io.cwd) : '-';
  if (target && (await pathKind(target)) === 'dir') {
    throw new UsageError(
      pick(lang, `${targetDisplay} est un dossier.`, `${targetDisplay} is a folder.`),
      pick(
        lang,
        'Donnez à --out le chemin d’un fichier, ex. referentials/mon-titre.yaml.',
        'Give --out the path of a file, e.g. referentials/my-title.yaml.',
      ),
    );
  }
  if (target && !options.force && (await pathKind(target)) !== 'missing') {
    throw new InputError(
      pick(lang, `${targetDisplay} existe déjà.`, `${targetDisplay} already exists.`),
      pick(
        lang,
        'Ajoutez --force pour le remplacer, ou choisissez un autre fichier avec --out.',
        'Add --force to replace it, or choose another file with --out.',
      ),
    );
  }
  const { abs, display } = await exportPath(file, io, lang);
  const { fiche, count, flux } = await findFiche(abs, display, number, io, lang);
  if (!fiche) {
    throw new InputError(
      pick(
        lang,
        `Fiche ${number} absente de l’export ${display} (${count} fiches lues).`,
        `Fiche ${number} is not in the export ${display} (${count} fiches read).`,
      ),
      pick(
        lang,
        `« certif rncp list ${display} » liste les numéros de l’export ; une fiche se cherche aussi sur ${SEARCH_URL}`,
        `"certif rncp list ${display}" lists the numbers in the export; fiches can also be searched on ${SEARCH_URL}`,
      ),
    );
  }

  // Inside a project (referentials/ makes one), the schema line points to the project's copy of
  // the schemas; outside, a file has no line: any path would name a folder of this machine.
  const root = target
    ? path.basename(path.dirname(target)) === 'referentials'
      ? path.dirname(path.dirname(target))
      : await enclosingProjectRoot(path.dirname(target))
    : undefined;
  const skeleton = buildSkeleton(fiche, {
    id,
    lang,
    exportName: path.basename(abs),
    flux,
    ...(target && root
      ? { schemaComment: schemaComment(root, path.dirname(target), 'referential') }
      : {}),
  });
  // Checked before writing: the only errors expected are the places to fill.
  const checked = checkText<Referential>(skeleton.text, targetDisplay, 'referential', lang);
  const diagnostics = [...checked.diagnostics];
  if (checked.source && checked.value) {
    const ctx = ruleContext(lang);
    checkReferential(ctx, checked.source, checked.value);
    diagnostics.push(...ctx.diagnostics);
  }
  const unexpected = sortDiagnostics(
    diagnostics.filter((d) => d.ruleId !== 'referential/to-complete' && d.severity !== 'info'),
  );

  if (target) {
    await mkdir(path.dirname(target), { recursive: true });
    if (root) await ensureProjectSchemas(root, lang, io.cwd);
    await writeFileAtomic(target, skeleton.text);
  } else {
    io.stdout.write(skeleton.text);
  }
  // On stdout (--out -) there is no file to name: the summary alone, on stderr.
  const where = target ? pick(lang, `${targetDisplay} : `, `${targetDisplay}: `) : '';
  io.stderr.write(
    pick(
      lang,
      `${where}${fiche.number} « ${oneLine(fiche.title)} », ${skeleton.blocs} bloc(s), ${skeleton.competencies} compétence(s), ${skeleton.placeholders} place(s) « À COMPLÉTER ».\n`,
      `${where}${fiche.number} "${oneLine(fiche.title)}", ${skeleton.blocs} bloc(s), ${skeleton.competencies} competenc(ies), ${skeleton.placeholders} place(s) marked "À COMPLÉTER".\n`,
    ),
  );
  if (!fiche.active) {
    io.stderr.write(
      pick(
        lang,
        `Attention : la fiche ${fiche.number} n’est plus active${fiche.replacedBy.length > 0 ? ` (remplacée par ${fiche.replacedBy.join(', ')})` : ''}.\n`,
        `Warning: fiche ${fiche.number} is no longer active${fiche.replacedBy.length > 0 ? ` (replaced by ${fiche.replacedBy.join(', ')})` : ''}.\n`,
      ),
    );
  }
  if (unexpected.length > 0) {
    io.stderr.write(
      pick(
        lang,
        'À corriger aussi (l’export a des données inhabituelles) :\n',
        'Also to fix (the export has unusual data):\n',
      ),
    );
    io.stderr.write(stylish(unexpected, { lang, files: 1, strict: false }));
  }
  if (target) {
    io.stderr.write(
      pick(
        lang,
        `  → Complétez les places marquées, puis lancez « certif validate ${targetDisplay} ».\n`,
        `  → Fill in the marked places, then run "certif validate ${targetDisplay}".\n`,
      ),
    );
  }
  return 0;
}

/** One fiche in `certif rncp list --format json`. */
interface ListedFiche {
  readonly number: string;
  readonly title: string;
  readonly active: boolean;
  readonly state: string;
  readonly level: string;
  readonly blocs: readonly { readonly code: string; readonly title: string }[];
  readonly replacedBy: readonly string[];
}

/**
 * `certif rncp list <export.xml>`: number, blocs, active, title of every fiche, sorted by number;
 * `--format json` gives each fiche's blocs (code, title), state, level and replacements too.
 */
export async function rncpListCommand(
  file: string,
  options: { lang: Lang; format?: 'text' | 'json' | undefined },
  io: Io,
): Promise<number> {
  const { lang } = options;
  const { abs, display } = await exportPath(file, io, lang);
  const rows: { n: number; line: string; fiche: ListedFiche }[] = [];
  const progress = progressLine(io, lang);
  let flux = '';
  try {
    const scan = await scanExport(
      abs,
      display,
      (f) => {
        const active = f.active
          ? pick(lang, 'active', 'active')
          : pick(lang, 'inactive', 'inactive');
        rows.push({
          n: Number(f.number.replace(/\D/g, '')) || 0,
          line: `${f.number}\t${f.blocs.length} bloc(s)\t${active}\t${oneLine(f.title)}`,
          fiche: {
            number: f.number,
            title: oneLine(f.title),
            active: f.active,
            state: f.state,
            level: f.levelCode,
            blocs: f.blocs.map((b) => ({ code: b.code, title: oneLine(b.title) })),
            replacedBy: [...f.replacedBy],
          },
        });
        return false;
      },
      { lang, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) },
    );
    flux = scan.flux;
  } finally {
    progress.done();
  }
  rows.sort((a, b) => a.n - b.n || (a.line < b.line ? -1 : a.line > b.line ? 1 : 0));
  if (options.format === 'json') {
    const report = { export: display, flux, count: rows.length, fiches: rows.map((r) => r.fiche) };
    io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    io.stdout.write(rows.map((r) => r.line + '\n').join(''));
  }
  io.stderr.write(pick(lang, `${rows.length} fiche(s).\n`, `${rows.length} fiche(s).\n`));
  return 0;
}

/** Options of `certif rncp check`. */
export interface RncpCheckOptions {
  readonly format: ReporterName;
  /** Warnings fail too (exit 1), as with `certif validate --strict`. */
  readonly strict?: boolean | undefined;
  readonly lang: Lang;
}

/** A référentiel file checked against its schema only: a skeleton still to complete works. */
async function schemaChecked(
  abs: string,
  io: Io,
  lang: Lang,
): Promise<{ ref: Referential; source: SourceFile }> {
  const display = displayPath(abs, io.cwd);
  const loaded = await loadFile<Referential>(abs, display, 'referential', lang);
  if (!loaded.value || !loaded.source) {
    throw new InvalidFilesError(
      pick(lang, `référentiel invalide : ${display}`, `invalid référentiel: ${display}`),
      loaded.diagnostics,
    );
  }
  return { ref: loaded.value, source: loaded.source };
}

/**
 * A référentiel to compare: a file, or an id (`id@version`). Either may be a skeleton still to
 * complete: comparing it with its fiche is what one does right after `rncp import`.
 */
async function referentialFor(
  spec: string | undefined,
  io: Io,
  lang: Lang,
): Promise<{ ref: Referential; source: SourceFile }> {
  const file = await referentialFilePath(spec, io.cwd, lang);
  if (file) return schemaChecked(file, io, lang);
  const root = await findProjectRoot(io.cwd);
  if (spec) {
    const [id, version] = spec.split('@');
    const scan = await scanReferentials(root, io.cwd, lang);
    const matches = (r: { id?: string | undefined; version?: string | undefined }) =>
      r.id === id && (!version || r.version === version);
    const usable = scan.usable.some((r) => matches({ id: r.ref.id, version: r.ref.version }));
    const skeleton = usable ? undefined : scan.invalid.find(matches);
    if (skeleton) return schemaChecked(skeleton.abs, io, lang);
  }
  const loaded = await resolveReferential(spec, root, io.cwd, lang);
  return { ref: loaded.ref, source: loaded.source };
}

/**
 * `certif rncp check <export.xml> [referential]`: drift between a référentiel and its fiche, as
 * diagnostics. 0 in sync or warnings only, 1 errors (or warnings with `--strict`, or bad input),
 * 2 usage.
 */
export async function rncpCheckCommand(
  file: string,
  spec: string | undefined,
  options: RncpCheckOptions,
  io: Io,
): Promise<number> {
  const { lang } = options;
  const { abs, display } = await exportPath(file, io, lang);
  const { ref, source } = await referentialFor(spec, io, lang);
  const ctx = ruleContext(lang);
  if (ref.rncp) {
    const { fiche, count } = await findFiche(abs, display, ref.rncp.toUpperCase(), io, lang);
    checkDrift(ctx, source, ref, fiche, { export: display, count });
  } else {
    checkDrift(ctx, source, ref, undefined, { export: display, count: 0 });
  }
  const diagnostics = sortDiagnostics(ctx.diagnostics);
  const color = options.format === 'stylish' && io.stdoutIsTTY && !io.env.NO_COLOR;
  io.stdout.write(
    reporters[options.format](diagnostics, {
      lang,
      style: color ? await terminalStyle() : noStyle,
      files: 1,
      strict: options.strict ?? false,
    }),
  );
  const n = countBySeverity(diagnostics);
  return n.error > 0 || (options.strict && n.warning > 0) ? 1 : 0;
}

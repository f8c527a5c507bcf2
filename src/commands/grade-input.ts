import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError, InvalidFilesError, UsageError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic, registerMessages } from '../diagnostics/messages.js';
import { parseVerdict, toResult, type Result, type ResultValue } from '../model/session.js';
import type { Verdict } from '../model/types.js';
import { competenciesOf, type GradedUnit, type Referential } from '../model/types.js';
import { observationRequired } from '../rules/evaluation.js';
import { csvSeparator, foldHeader, withoutBom } from '../source/text.js';
import { parseYamlText } from '../source/parse.js';

registerMessages({
  'grade/from-competency': {
    severity: 'error',
    fr: (p) => [
      `« ${String(p.value)} » n’est pas une compétence de ${String(p.bloc)}.`,
      `Compétences de ${String(p.bloc)} : ${String(p.known)}.`,
    ],
    en: (p) => [
      `"${String(p.value)}" is not a competency of ${String(p.bloc)}.`,
      `Competencies of ${String(p.bloc)}: ${String(p.known)}.`,
    ],
  },
  'grade/from-verdict': {
    severity: 'error',
    fr: (p) => [
      `Résultat « ${String(p.value)} » non compris.`,
      'Écrivez acquis (A) ou non_acquis (NA).',
    ],
    en: (p) => [
      `Result "${String(p.value)}" not understood.`,
      'Write acquis (A) or non_acquis (NA).',
    ],
  },
});

/** Verdicts and observations given on the command line or in a file, before merging. */
export interface RawInput {
  readonly verdicts: Map<string, Verdict>;
  readonly observations: Map<string, string>;
}

/** `C4`, `c4` or `BC01.C4` as a competency id of the unit; undefined when it is none. */
function competencyIdOrUndefined(unit: GradedUnit, text: string): string | undefined {
  let t = text.trim();
  const dot = t.indexOf('.');
  if (dot > 0 && t.slice(0, dot).toLowerCase() === unit.id.toLowerCase()) t = t.slice(dot + 1);
  return competenciesOf(unit)
    .map((c) => c.id)
    .find((i) => i.toLowerCase() === t.toLowerCase());
}

/** Resolve `C4`, `c4` or `BC01.C4` to a competency id of the unit, or raise. */
export function competencyId(unit: GradedUnit, text: string, lang: Lang): string {
  const id = competencyIdOrUndefined(unit, text);
  if (id) return id;
  const ids = competenciesOf(unit).map((c) => c.id);
  throw new InputError(
    pick(
      lang,
      `« ${text} » n’est pas une compétence de ${unit.id}.`,
      `"${text}" is not a competency of ${unit.id}.`,
    ),
    pick(
      lang,
      `Compétences de ${unit.id} : ${ids.join(', ')}.`,
      `Competencies of ${unit.id}: ${ids.join(', ')}.`,
    ),
  );
}

function verdictOf(text: string, where: string, lang: Lang): Verdict {
  const v = parseVerdict(text);
  if (v) return v;
  throw new InputError(
    pick(
      lang,
      `Résultat « ${text} » non compris (${where}).`,
      `Result "${text}" not understood (${where}).`,
    ),
    pick(lang, 'Écrivez acquis (A) ou non_acquis (NA).', 'Write acquis (A) or non_acquis (NA).'),
  );
}

function splitAssignment(arg: string, option: string, lang: Lang): [string, string] {
  const eq = arg.indexOf('=');
  if (eq <= 0) {
    throw new UsageError(
      pick(
        lang,
        `${option} attend COMPÉTENCE=VALEUR, pas « ${arg} ».`,
        `${option} expects COMPETENCY=VALUE, not "${arg}".`,
      ),
      pick(
        lang,
        'Exemple : --set C1=acquis --set C2=NA --observation C2="…"',
        'Example: --set C1=acquis --set C2=NA --observation C2="…"',
      ),
    );
  }
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** Read `--from` (CSV with competence;resultat;observation columns, or YAML) into raw input. */
function readFrom(text: string, file: string, unit: GradedUnit, into: RawInput, lang: Lang): void {
  if (/\.csv$/i.test(file)) {
    const body = withoutBom(text);
    let rows: { record: string[]; info: { lines: number } }[];
    try {
      rows = parseCsv(body, {
        delimiter: csvSeparator(body),
        skip_empty_lines: true,
        relax_column_count: true,
        info: true,
      }) as unknown as { record: string[]; info: { lines: number } }[];
    } catch (error) {
      throw new InputError(`${file}: ${(error as Error).message}`);
    }
    const head = (rows[0]?.record ?? []).map(foldHeader);
    const ci = head.findIndex((h) => h === 'competence' || h === 'competency' || h === 'id');
    const ri = head.findIndex((h) => h === 'resultat' || h === 'result' || h === 'verdict');
    const oi = head.findIndex((h) => h === 'observation');
    if (ci < 0 || ri < 0) {
      throw new InputError(
        pick(
          lang,
          `${file} : colonnes « competence » et « resultat » attendues.`,
          `${file}: columns "competence" and "resultat" expected.`,
        ),
        pick(
          lang,
          'En-têtes : competence;resultat;observation',
          'Headers: competence;resultat;observation',
        ),
      );
    }
    // Every bad row at once, each at its line and column (a juror's sheet may hold several).
    const bad: Diagnostic[] = [];
    rows.slice(1).forEach(({ record: row, info }) => {
      const at = (index: number) => ({ file, line: info.lines, column: index + 1 });
      const known = competencyIdOrUndefined(unit, row[ci] ?? '');
      if (known === undefined) {
        const ids = competenciesOf(unit).map((c) => c.id);
        bad.push(
          diagnostic(
            lang,
            'grade/from-competency',
            { value: row[ci] ?? '', bloc: unit.id, known: ids.join(', ') },
            at(ci),
          ),
        );
        return;
      }
      const raw = (row[ri] ?? '').trim();
      if (raw !== '') {
        const verdict = parseVerdict(raw);
        if (verdict) into.verdicts.set(known, verdict);
        else bad.push(diagnostic(lang, 'grade/from-verdict', { value: raw }, at(ri)));
      }
      const obs = oi >= 0 ? (row[oi] ?? '').trim() : '';
      if (obs !== '') into.observations.set(known, obs);
    });
    if (bad.length > 0) {
      throw new InvalidFilesError(
        pick(
          lang,
          `${file} : ${bad.length} ligne(s) non comprise(s), rien n’a été enregistré`,
          `${file}: ${bad.length} row(s) not understood, nothing was recorded`,
        ),
        bad,
      );
    }
    return;
  }
  // The same parser and messages as every certif file: French or English, with line and column.
  const parsed = parseYamlText(file, text, lang);
  if (!parsed.source) throw new InvalidFilesError(file, parsed.diagnostics);
  const value: unknown = parsed.source.value;
  const obj = value as { results?: unknown } | null;
  const results = obj && typeof obj === 'object' && 'results' in obj ? obj.results : value;
  if (!results || typeof results !== 'object' || Array.isArray(results)) {
    throw new InputError(
      pick(
        lang,
        `${file} : une table compétence → résultat est attendue.`,
        `${file}: a map competency → result is expected.`,
      ),
    );
  }
  for (const [key, v] of Object.entries(results as Record<string, unknown>)) {
    const id = competencyId(unit, key, lang);
    if (typeof v === 'string') into.verdicts.set(id, verdictOf(v, `${file}: ${key}`, lang));
    else if (v && typeof v === 'object') {
      const r = v as { verdict?: unknown; observation?: unknown };
      into.verdicts.set(
        id,
        verdictOf(typeof r.verdict === 'string' ? r.verdict : '', `${file}: ${key}`, lang),
      );
      if (typeof r.observation === 'string' && r.observation.trim() !== '')
        into.observations.set(id, r.observation.trim());
    } else {
      throw new InputError(
        pick(
          lang,
          `${file} : résultat de ${key} non compris.`,
          `${file}: result of ${key} not understood.`,
        ),
      );
    }
  }
}

/** Collect `--from`, `--set` and `--observation` into raw input (later flags win). */
export function collectInput(
  unit: GradedUnit,
  sets: readonly string[],
  observations: readonly string[],
  from: { text: string; file: string } | undefined,
  lang: Lang,
): RawInput {
  const input: RawInput = { verdicts: new Map(), observations: new Map() };
  if (from) readFrom(from.text, path.basename(from.file), unit, input, lang);
  for (const arg of sets) {
    const [k, v] = splitAssignment(arg, '--set', lang);
    input.verdicts.set(competencyId(unit, k, lang), verdictOf(v, `--set ${arg}`, lang));
  }
  for (const arg of observations) {
    const [k, v] = splitAssignment(arg, '--observation', lang);
    input.observations.set(competencyId(unit, k, lang), v.trim());
  }
  return input;
}

/**
 * Merge raw input with the results already recorded; check that every Non acquis has its
 * observation when the référentiel requires one.
 */
export function mergeInput(
  input: RawInput,
  existing: Readonly<Record<string, Result>>,
  ref: Referential,
  unit: GradedUnit,
  lang: Lang,
  options: { dropObservationOnChange?: boolean } = {},
): Record<string, Result> {
  const updates: Record<string, Result> = {};
  const ids = new Set([...input.verdicts.keys(), ...input.observations.keys()]);
  const missing: string[] = [];
  for (const id of competenciesOf(unit).map((c) => c.id)) {
    if (!ids.has(id)) continue;
    const before = existing[id];
    const verdict = input.verdicts.get(id) ?? before?.verdict;
    if (!verdict) {
      throw new InputError(
        pick(
          lang,
          `Observation sans résultat pour ${unit.id}.${id}.`,
          `Observation without a result for ${unit.id}.${id}.`,
        ),
        pick(
          lang,
          `Ajoutez --set ${id}=acquis ou --set ${id}=non_acquis.`,
          `Add --set ${id}=acquis or --set ${id}=non_acquis.`,
        ),
      );
    }
    // An amendment that changes the verdict leaves the old observation in its `from`, not on the
    // new value, where it would contradict it.
    const changed = before !== undefined && before.verdict !== verdict;
    const kept = options.dropObservationOnChange && changed ? undefined : before?.observation;
    const observation = input.observations.get(id) ?? kept;
    if (observationRequired(ref, verdict) && !observation) missing.push(id);
    updates[id] = observation ? { verdict, observation } : { verdict };
  }
  if (missing.length > 0) {
    throw new InputError(
      pick(
        lang,
        `Observation obligatoire pour ${missing.map((m) => `${unit.id}.${m}`).join(', ')} (Non acquis). Rien n’a été écrit.`,
        `Observation required for ${missing.map((m) => `${unit.id}.${m}`).join(', ')} (Non acquis). Nothing was written.`,
      ),
      pick(
        lang,
        `Ajoutez --observation ${missing[0] ?? 'C1'}="ce qui manquait au regard du seuil".`,
        `Add --observation ${missing[0] ?? 'C1'}="what was missing against the threshold".`,
      ),
    );
  }
  return updates;
}

/** A result in its written form, for messages. */
export function describe(value: ResultValue | undefined, lang: Lang): string {
  if (value === undefined) return '—';
  const r = toResult(value);
  return r.verdict === 'acquis'
    ? pick(lang, 'Acquis', 'Acquired')
    : pick(lang, 'Non acquis', 'Not acquired');
}

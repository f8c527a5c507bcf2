import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Lang } from '../diagnostics/diagnostic.js';
import { toResult, type ResultValue } from '../model/session.js';
import type { Verdict } from '../model/types.js';
import { displayPath } from '../project/files.js';
import { readTextSync } from '../project/load.js';
import { parseYaml } from '../source/parse.js';

/**
 * A juror's own entry in blind double marking, as far as statistics need it:
 * `sessions/<s>/entries/<candidate>/<bloc>/<juror>.yaml`. Kept small on purpose, so it can give
 * way to the double-marking store when both land.
 */
export interface JurorEntry {
  readonly candidate: string;
  readonly bloc: string;
  readonly juror: string;
  readonly status: 'draft' | 'submitted';
  readonly verdicts: Readonly<Record<string, Verdict>>;
}

/** The entries of a session, and the files skipped because they do not parse as an entry. */
export interface SessionEntries {
  readonly entries: JurorEntry[];
  readonly skipped: string[];
}

// The patterns of the evaluation schema: ids of people and sessions, ids of blocs and competencies.
const SLUG = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ID = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Read one entry file; undefined when it is not a readable entry of this place. */
function readEntry(
  file: string,
  display: string,
  place: { candidate: string; bloc: string; juror: string },
  lang: Lang,
): JurorEntry | undefined {
  if (!SLUG.test(place.candidate) || !ID.test(place.bloc) || !SLUG.test(place.juror))
    return undefined;
  const read = readTextSync(file, display, lang);
  if (read.text === undefined) return undefined;
  const value = parseYaml(display, read.text, lang).source?.value;
  if (!isRecord(value) || !isRecord(value.results)) return undefined;
  if (value.status !== 'draft' && value.status !== 'submitted') return undefined;
  // An entry copied under another candidate, bloc or juror is not that juror's judgement.
  if (
    value.candidate !== place.candidate ||
    value.bloc !== place.bloc ||
    value.juror !== place.juror
  )
    return undefined;
  // No prototype: a competency named like an Object property must not find one.
  const verdicts = Object.create(null) as Record<string, Verdict>;
  for (const [id, raw] of Object.entries(value.results)) {
    const verdict = verdictOf(raw);
    if (verdict === undefined || !ID.test(id)) return undefined;
    verdicts[id] = verdict;
  }
  return { ...place, status: value.status, verdicts };
}

function verdictOf(raw: unknown): Verdict | undefined {
  if (raw === 'acquis' || raw === 'non_acquis') return raw;
  if (isRecord(raw) && (raw.verdict === 'acquis' || raw.verdict === 'non_acquis'))
    return toResult(raw as ResultValue).verdict;
  return undefined;
}

/** Every juror entry of a session folder, sorted by candidate, bloc and juror. */
export function sessionEntries(sessionDir: string, cwd: string, lang: Lang): SessionEntries {
  const root = path.join(sessionDir, 'entries');
  const entries: JurorEntry[] = [];
  const skipped: string[] = [];
  for (const candidate of subdirs(root)) {
    for (const bloc of subdirs(path.join(root, candidate))) {
      const dir = path.join(root, candidate, bloc);
      for (const name of yamlFiles(dir)) {
        const file = path.join(dir, name);
        const display = displayPath(file, cwd);
        const juror = name.replace(/\.ya?ml$/i, '');
        const entry = readEntry(file, display, { candidate, bloc, juror }, lang);
        if (entry) entries.push(entry);
        else skipped.push(display);
      }
    }
  }
  return { entries, skipped };
}

import { InvalidFilesError } from '../cli/errors.js';
import { readlinkSync } from 'node:fs';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic, type Params } from '../diagnostics/messages.js';
import { parseYaml, type SourceFile } from '../source/parse.js';
import { MAX_FILE_BYTES, readRawSync, type RawRead } from './read-raw.js';
import { validateSchema } from '../schema/diagnostics.js';
// Registers the message of file/symlink.
import './confine.js';
import type { FileKind } from '../schema/registry.js';

export { MAX_FILE_BYTES } from './read-raw.js';

/** A file read, parsed and checked against its schema. */
export interface Loaded<T> {
  readonly source?: SourceFile;
  /** Present only when the file passed parsing and its schema. */
  readonly value?: T;
  readonly diagnostics: Diagnostic[];
}

const at1 = (file: string) => ({ file, line: 1, column: 1 });

function linkTarget(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return '?';
  }
}

/**
 * Read a file as UTF-8 text, or the diagnostics saying why it cannot be (see {@link readRawSync});
 * `raw` is that read when another thread already made it. A file that is a symbolic link is
 * reported (`file/symlink`), not read.
 */
export function readTextSync(
  absPath: string,
  display: string,
  lang: Lang,
  raw: RawRead = readRawSync(absPath),
): { text?: string; diagnostics: Diagnostic[]; missing?: true } {
  if ('text' in raw) return { text: raw.text, diagnostics: [] };
  const one = (ruleId: string, params: Params = {}) => [
    diagnostic(lang, ruleId, params, at1(display)),
  ];
  switch (raw.problem) {
    case 'not-a-file':
      return { diagnostics: one('file/not-a-file') };
    case 'too-large':
      return { diagnostics: one('file/too-large', { size: raw.size, max: MAX_FILE_BYTES }) };
    case 'encoding':
      return { diagnostics: one('yaml/encoding') };
    case 'error': {
      if (raw.code === 'ELOOP') {
        return {
          diagnostics: one('file/symlink', { link: display, target: linkTarget(absPath) }),
        };
      }
      const unreadable = one('file/unreadable', { reason: raw.code });
      // `missing` lets a caller tell "not there yet" from "there but unreadable" without a stat.
      return raw.code === 'ENOENT' || raw.code === 'ENOTDIR'
        ? { diagnostics: unreadable, missing: true }
        : { diagnostics: unreadable };
    }
  }
}

/** {@link readTextSync}, for callers that await. */
export function readText(
  absPath: string,
  display: string,
  lang: Lang,
): Promise<{ text?: string; diagnostics: Diagnostic[] }> {
  return Promise.resolve(readTextSync(absPath, display, lang));
}

/** Parse text and check it against the schema of its kind. */
export function checkText<T>(
  text: string,
  display: string,
  kind: FileKind,
  lang: Lang,
  preParsed?: { readonly value: object | undefined },
): Loaded<T> {
  const parsed = parseYaml(display, text, lang, preParsed);
  if (!parsed.source) return { diagnostics: parsed.diagnostics };
  const diagnostics = validateSchema(parsed.source, kind, lang);
  if (diagnostics.length > 0) return { source: parsed.source, diagnostics };
  return { source: parsed.source, value: parsed.source.value as T, diagnostics: [] };
}

/** Read, parse and schema-check one file. */
export function loadFile<T>(
  absPath: string,
  display: string,
  kind: FileKind,
  lang: Lang,
): Promise<Loaded<T>> {
  return Promise.resolve(loadFileSync<T>(absPath, display, kind, lang));
}

/**
 * {@link loadFile} without a promise, for loops over thousands of files; `raw` is the file as
 * another thread already read (and maybe parsed) it.
 */
export function loadFileSync<T>(
  absPath: string,
  display: string,
  kind: FileKind,
  lang: Lang,
  raw?: RawRead,
): Loaded<T> {
  const read = readTextSync(absPath, display, lang, raw);
  if (read.text === undefined) return { diagnostics: read.diagnostics };
  const preParsed = raw && 'parsed' in raw ? raw.parsed : undefined;
  return checkText<T>(read.text, display, kind, lang, preParsed);
}

/** Read a text file a command needs; unreadable or non-UTF-8 files raise InvalidFilesError. */
export async function readTextFile(absPath: string, display: string, lang: Lang): Promise<string> {
  const read = await readText(absPath, display, lang);
  if (read.text === undefined) throw new InvalidFilesError(display, read.diagnostics);
  return read.text;
}

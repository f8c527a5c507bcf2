import { InvalidFilesError } from '../cli/errors.js';
import { closeSync, constants, fstatSync, openSync, readSync, readlinkSync } from 'node:fs';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/messages.js';
import { parseYaml, decodeUtf8, type SourceFile } from '../source/parse.js';
import { validateSchema } from '../schema/diagnostics.js';
// Registers the message of file/symlink.
import './confine.js';
import type { FileKind } from '../schema/registry.js';

/** Largest file certif reads: its files are a few kilobytes. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** A file read, parsed and checked against its schema. */
export interface Loaded<T> {
  readonly source?: SourceFile;
  /** Present only when the file passed parsing and its schema. */
  readonly value?: T;
  readonly diagnostics: Diagnostic[];
}

const at1 = (file: string) => ({ file, line: 1, column: 1 });

/** Read-only, and a symbolic link is not followed (ELOOP): it could point outside the project. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

function linkTarget(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return '?';
  }
}

/**
 * One buffer for every read, a byte longer than the largest file: each file is decoded before the
 * next one is read.
 */
let scratch: Buffer | undefined;

/**
 * Read a file as UTF-8 text, or the diagnostics saying why it cannot be. Synchronous on purpose:
 * a CLI reading thousands of small files is fastest that way. The bytes go into one reused
 * buffer, never more than the limit plus one: a larger file is refused without being read
 * further, and no size is asked of the file first (one system call and one object less per
 * file). A directory fails at the read (EISDIR). A file that is a symbolic link is reported
 * (`file/symlink`), not read.
 */
export function readTextSync(
  absPath: string,
  display: string,
  lang: Lang,
): { text?: string; diagnostics: Diagnostic[]; missing?: true } {
  let fd: number | undefined;
  try {
    fd = openSync(absPath, READ_FLAGS);
    const buffer = (scratch ??= Buffer.allocUnsafe(MAX_FILE_BYTES + 1));
    let filled = 0;
    for (;;) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (n === 0) break;
      filled += n;
      if (filled === buffer.length) {
        const size = fstatSync(fd).size;
        return {
          diagnostics: [
            diagnostic(lang, 'file/too-large', { size, max: MAX_FILE_BYTES }, at1(display)),
          ],
        };
      }
    }
    const text = decodeUtf8(buffer.subarray(0, filled));
    if (text === undefined)
      return { diagnostics: [diagnostic(lang, 'yaml/encoding', {}, at1(display))] };
    return { text, diagnostics: [] };
  } catch (error) {
    return readFailure(error, absPath, display, lang);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The diagnostics of a file that could not be opened or read. */
function readFailure(
  error: unknown,
  absPath: string,
  display: string,
  lang: Lang,
): { diagnostics: Diagnostic[]; missing?: true } {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR')
    return { diagnostics: [diagnostic(lang, 'file/not-a-file', {}, at1(display))] };
  if (code === 'ELOOP') {
    const target = linkTarget(absPath);
    return {
      diagnostics: [diagnostic(lang, 'file/symlink', { link: display, target }, at1(display))],
    };
  }
  const unreadable = [
    diagnostic(lang, 'file/unreadable', { reason: code ?? String(error) }, at1(display)),
  ];
  // `missing` lets a caller tell "not there yet" from "there but unreadable" without a stat.
  return code === 'ENOENT' || code === 'ENOTDIR'
    ? { diagnostics: unreadable, missing: true }
    : { diagnostics: unreadable };
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
export function checkText<T>(text: string, display: string, kind: FileKind, lang: Lang): Loaded<T> {
  const parsed = parseYaml(display, text, lang);
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

/** {@link loadFile} without a promise, for loops over thousands of files. */
export function loadFileSync<T>(
  absPath: string,
  display: string,
  kind: FileKind,
  lang: Lang,
): Loaded<T> {
  const read = readTextSync(absPath, display, lang);
  if (read.text === undefined) return { diagnostics: read.diagnostics };
  return checkText<T>(read.text, display, kind, lang);
}

/** Read a text file a command needs; unreadable or non-UTF-8 files raise InvalidFilesError. */
export async function readTextFile(absPath: string, display: string, lang: Lang): Promise<string> {
  const read = await readText(absPath, display, lang);
  if (read.text === undefined) throw new InvalidFilesError(display, read.diagnostics);
  return read.text;
}

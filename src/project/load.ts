import { InvalidFilesError } from '../cli/errors.js';
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  readlinkSync,
} from 'node:fs';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/messages.js';
import { parseYaml, decodeUtf8, type SourceFile } from '../source/parse.js';
import { withoutBom } from '../source/text.js';
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
 * The bytes of an open file whose size was just taken: readFileSync(fd) would take it again
 * (one more system call per file, thousands in a validate). A size of 0 may not be the truth
 * (some special files): those are read to their end.
 */
function readWhole(fd: number, size: number): Buffer {
  if (size === 0) return readFileSync(fd);
  const bytes = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const n = readSync(fd, bytes, filled, size - filled, filled);
    if (n === 0) break;
    filled += n;
  }
  return filled === size ? bytes : bytes.subarray(0, filled);
}

/**
 * Read a file as UTF-8 text, or the diagnostics saying why it cannot be. Synchronous on purpose:
 * a CLI reading thousands of small files is fastest that way. One call to node's UTF-8 reader
 * (open without following a link, read, decode, close): a third faster than opening, sizing,
 * reading and decoding from JavaScript. That reader replaces bytes that are not UTF-8 with U+FFFD
 * and knows no size limit, so a text holding U+FFFD, or longer than the limit, is read again by
 * {@link readTextChecked}, which sizes the open file before reading it and refuses bad bytes. A
 * file that is a symbolic link is reported (`file/symlink`), not read.
 */
export function readTextSync(
  absPath: string,
  display: string,
  lang: Lang,
): { text?: string; diagnostics: Diagnostic[]; missing?: true } {
  let text: string;
  try {
    // Node takes numeric flags here (its types say string): O_NOFOLLOW must reach open(2).
    text = readFileSync(absPath, { encoding: 'utf8', flag: READ_FLAGS as unknown as string });
  } catch (error) {
    return readFailure(error, absPath, display, lang);
  }
  // A UTF-16 unit comes from at most three UTF-8 bytes: a text this short came from a file
  // within the limit.
  if (text.length <= MAX_FILE_BYTES / 3 && !text.includes('\ufffd'))
    return { text: withoutBom(text), diagnostics: [] };
  return readTextChecked(absPath, display, lang);
}

/**
 * {@link readTextSync}, sizing the open file before reading it and decoding strictly. Used for
 * the rare text that may be too large or not UTF-8.
 */
function readTextChecked(
  absPath: string,
  display: string,
  lang: Lang,
): { text?: string; diagnostics: Diagnostic[]; missing?: true } {
  let fd: number | undefined;
  try {
    fd = openSync(absPath, READ_FLAGS);
    const info = fstatSync(fd);
    if (info.isDirectory())
      return { diagnostics: [diagnostic(lang, 'file/not-a-file', {}, at1(display))] };
    if (info.size > MAX_FILE_BYTES) {
      return {
        diagnostics: [
          diagnostic(
            lang,
            'file/too-large',
            { size: info.size, max: MAX_FILE_BYTES },
            at1(display),
          ),
        ],
      };
    }
    const text = decodeUtf8(readWhole(fd, info.size));
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

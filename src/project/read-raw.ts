import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { withoutBom } from '../source/text.js';

/** Largest file certif reads: its files are a few kilobytes. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Read-only, and a symbolic link is not followed (ELOOP): it could point outside the project. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decode bytes as strict UTF-8, without a BOM; undefined when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return withoutBom(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}

/**
 * What reading a file gave, before any message is worded: its text, or why there is none. Plain
 * data, so that a reading thread can send it (see read-ahead.ts).
 */
export type RawRead =
  | { readonly text: string; readonly parsed?: { readonly value: object | undefined } }
  | { readonly problem: 'not-a-file' | 'encoding' }
  | { readonly problem: 'too-large'; readonly size: number }
  /** A system error: its code (ELOOP for a symbolic link, ENOENT, EACCES…). */
  | { readonly problem: 'error'; readonly code: string };

/**
 * Read a file as UTF-8 text. Synchronous on purpose: a CLI reading thousands of small files is
 * fastest that way. The size is checked on the open file, before reading it; a symbolic link is
 * not followed.
 */
export function readRawSync(absPath: string): RawRead {
  let fd: number | undefined;
  try {
    fd = openSync(absPath, READ_FLAGS);
    const info = fstatSync(fd);
    if (info.isDirectory()) return { problem: 'not-a-file' };
    if (info.size > MAX_FILE_BYTES) return { problem: 'too-large', size: info.size };
    const text = decodeUtf8(readFileSync(fd));
    return text === undefined ? { problem: 'encoding' } : { text };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return { problem: 'not-a-file' };
    return { problem: 'error', code: code ?? String(error) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

import { CORE_SCHEMA, load } from 'js-yaml';

/**
 * Anything the fast parser must not decide alone: directives, document markers, tags, anchors and
 * aliases, merge keys, tabs. Such files take the full path (which reports them precisely).
 */
const NEEDS_FULL_PARSE = /^(?:%|---|\.\.\.)|!(?:!|<|[A-Za-z])|(?:^|[\s[{,])[&*][^\s]|<<\s*:|\t/m;

function keysAreNfc(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k !== k.normalize('NFC')) return false;
        stack.push(child);
      }
    }
  }
  return true;
}

/**
 * The value of a plain, sound YAML mapping or list, read by js-yaml (core schema, duplicate keys
 * refused, deep nesting stopped by a caught RangeError); undefined for anything unusual or wrong,
 * which the full parser then reads and reports precisely. Depends on js-yaml alone, so a reading
 * thread can run it (see src/project/read-ahead.ts).
 */
export function fastParse(text: string): object | undefined {
  if (NEEDS_FULL_PARSE.test(text) || text.includes('\r')) return undefined;
  try {
    const value = load(text, { schema: CORE_SCHEMA, json: false });
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    // Keys that look alike but differ by Unicode normalisation exist only in non-NFC text.
    return text.normalize('NFC') === text || keysAreNfc(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

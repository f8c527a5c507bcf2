import { hash } from 'node:crypto';

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  // A sorted copy serialised natively is faster than building the text by hand. Integer-like
  // keys would be reordered by the engine, so a value holding one is written by hand instead.
  const sorted = sortedCopy(value);
  return sorted === INTEGER_KEY ? writeByHand(value) : (JSON.stringify(sorted) ?? 'null');
}

const INTEGER_KEY = Symbol('integer key');
const INTEGER_LIKE = /^(?:0|[1-9]\d*)$/;

function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = sortedCopy(value[i]);
      if (v === INTEGER_KEY) return INTEGER_KEY;
      out[i] = v;
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      if (INTEGER_LIKE.test(key)) return INTEGER_KEY;
      const v = sortedCopy(record[key]);
      if (v === INTEGER_KEY) return INTEGER_KEY;
      out[key] = v === undefined ? null : v;
    }
    return out;
  }
  return value;
}

function writeByHand(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(writeByHand).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const entries = Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${writeByHand(record[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `sha256:<hex>` of a value's canonical JSON: formatting and comments do not change it. */
export function contentHash(value: unknown): string {
  return 'sha256:' + sha256Hex(canonicalJson(value));
}

/** SHA-256 of a text's UTF-8 bytes, in hexadecimal (one-shot: no Hash object per file). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

import type { Document, LineCounter, Node } from 'yaml';
import { yamlLib } from './yaml-lib.js';

/** A 1-based range in a file. */
export interface Range {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** Split a JSON pointer into its decoded segments (`~1` → `/`, `~0` → `~`). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return pointer === '/' ? [''] : [];
  const raw = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return raw.split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Encode one segment for a JSON pointer. */
export function encodeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Build a JSON pointer from segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + encodeSegment(s)).join('');
}

interface Found {
  node: Node | null;
  key: Node | null;
}

function keyText(key: unknown): string | undefined {
  if (yamlLib().isScalar(key)) return String(key.value);
  return undefined;
}

/**
 * Find the YAML node a pointer designates, falling back to the closest parent that exists.
 * Never throws, whatever the pointer.
 */
function walk(doc: Document, segments: readonly string[]): Found {
  const { isMap, isPair, isSeq } = yamlLib();
  let current: unknown = doc.contents;
  let found: Found = { node: doc.contents ?? null, key: null };
  for (const segment of segments) {
    if (isMap(current)) {
      const pair = current.items.find((p) => isPair(p) && keyText(p.key) === segment);
      if (!pair) return found;
      const keyNode = (pair.key as Node | null) ?? null;
      const valueNode = (pair.value as Node | null) ?? null;
      found = { node: valueNode ?? keyNode, key: keyNode };
      current = pair.value;
    } else if (isSeq(current)) {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return found;
      const item: unknown = current.items[Number(segment)];
      if (item === undefined || item === null) return found;
      found = { node: item as Node, key: null };
      current = item;
    } else {
      return found;
    }
  }
  return found;
}

/**
 * The range of the value at `pointer` (or of its key when `atKey`), or of the closest existing
 * parent; the start of the file when nothing matches.
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  pointer: string,
  atKey = false,
): Range {
  let segments: string[];
  try {
    segments = pointerSegments(pointer);
  } catch {
    segments = [];
  }
  const found = walk(doc, segments);
  const { isMap, isSeq } = yamlLib();
  const node = atKey && found.key ? found.key : found.node;
  const range = node?.range;
  if (!range) return { line: 1, column: 1, endLine: 1, endColumn: 1 };
  const start = lineCounter.linePos(range[0]);
  // For collections, the value end can be far away; keep the diagnostic on its first line.
  const endOffset = isMap(node) || isSeq(node) ? range[0] : range[1];
  const end = lineCounter.linePos(endOffset);
  return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}

/**
 * `locate()` (src/source/locate.ts) never throws, whatever the pointer, on random documents; it
 * finds the node of every path that exists, and the closest existing parent of one that does not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument, stringify, type Document } from 'yaml';
import { locate, pointerSegments, toPointer } from '../../src/source/locate.js';
import { yamlOptions } from '../../src/source/parse.js';

interface Parsed {
  readonly text: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  readonly value: unknown;
}

function parse(text: string, withValue = true): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...yamlOptions, lineCounter });
  return { text, doc, lineCounter, value: withValue ? (doc.toJS() as unknown) : undefined };
}

/** Keys and strings with the characters pointers care about. */
const key = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    '',
    '~',
    '~0',
    '~1',
    '/',
    'a/b',
    'a~b',
    '0',
    '00',
    '-1',
    '1e3',
    '__proto__',
    'constructor',
    'toString',
    ' ',
    'é',
  ),
  fc.string({ unit: 'binary', maxLength: 4 }),
);

/** Random documents: JSON-like values, as block or flow YAML, CRLF or not. */
const document: fc.Arbitrary<Parsed> = fc
  .tuple(
    fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(
          fc.string({ maxLength: 10 }),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.double({ noNaN: true }),
        ),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      ),
    })).value,
    fc.boolean(),
    fc.boolean(),
  )
  .map(([value, flow, crlf]) => {
    let text = stringify(value, {
      ...yamlOptions,
      collectionStyle: flow ? 'flow' : 'block',
      lineWidth: 0,
    });
    if (crlf) text = text.replace(/\n/g, '\r\n');
    return parse(text);
  });

/** Every path that exists in a plain value (map keys as strings, indices as numbers). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

/** Any pointer at all: raw strings, segment lists, escapes, numbers, empty. */
const anyPointer = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc
    .array(fc.oneof(key, fc.nat().map(String), fc.integer().map(String)), { maxLength: 6 })
    .map(toPointer),
  fc
    .array(fc.oneof(key, fc.constantFrom('~', '~0', '~1', '~2', '~01', '~10')), { maxLength: 6 })
    .map((s) => '/' + s.join('/')),
  fc.constantFrom(
    '',
    '/',
    '//',
    '~',
    '/~',
    '/~2',
    '#',
    '#/a',
    '/0',
    '/-',
    '/-1',
    '/00',
    '/1e3',
    '/__proto__/x',
    '/constructor/prototype',
  ),
);

function inBounds(p: Parsed, r: ReturnType<typeof locate>): void {
  const lines = p.text.split(/\r\n|\r|\n/).length;
  for (const n of [r.line, r.column, r.endLine, r.endColumn])
    expect(Number.isInteger(n)).toBe(true);
  expect(r.line).toBeGreaterThanOrEqual(1);
  expect(r.column).toBeGreaterThanOrEqual(1);
  expect(r.line).toBeLessThanOrEqual(lines);
  expect(r.endLine).toBeGreaterThanOrEqual(r.line);
  expect(r.endLine).toBeLessThanOrEqual(lines);
}

/** The node a path designates, through the Document API (not through locate's own walk). */
function startOf(p: Parsed, path: (string | number)[]): { line: number; col: number } | undefined {
  const node = path.length === 0 ? p.doc.contents : p.doc.getIn(path, true);
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? p.lineCounter.linePos(range[0]) : undefined;
}

describe('locate() never throws and places what exists', () => {
  it('never throws for any pointer, on any document, and stays inside the file', () => {
    fc.assert(
      fc.property(document, anyPointer, fc.boolean(), (p, pointer, atKey) => {
        const r = locate(p.doc, p.lineCounter, pointer, atKey);
        inBounds(p, r);
      }),
      { numRuns: 600 },
    );
  });

  it('never throws on broken YAML either', () => {
    const broken = fc
      .string({ unit: fc.constantFrom(...'ab: -[]{}\n\t"\'#&*!|>%@`?,'.split('')), maxLength: 60 })
      .map((text) => parse(text, false));
    fc.assert(
      fc.property(broken, anyPointer, fc.boolean(), (p, pointer, atKey) => {
        inBounds(p, locate(p.doc, p.lineCounter, pointer, atKey));
      }),
      { numRuns: 400 },
    );
  });

  it('points at the node of every existing path', () => {
    fc.assert(
      fc.property(document, (p) => {
        for (const path of paths(p.value)) {
          const expected = startOf(p, path);
          if (!expected) continue;
          const r = locate(p.doc, p.lineCounter, toPointer(path));
          expect({ line: r.line, col: r.column }, toPointer(path)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('falls back to the closest existing parent for a path that does not exist', () => {
    fc.assert(
      fc.property(document, fc.array(key, { minLength: 1, maxLength: 3 }), (p, rest) => {
        for (const path of paths(p.value)) {
          const missing = '\u0000missing';
          const r = locate(p.doc, p.lineCounter, toPointer([...path, missing, ...rest]));
          const parent = startOf(p, path);
          if (parent) expect({ line: r.line, col: r.column }).toEqual(parent);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('pointerSegments decodes what toPointer encodes', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 6 }), (segments) => {
        expect(pointerSegments(toPointer(segments))).toEqual(segments);
      }),
      { numRuns: 300 },
    );
  });
});

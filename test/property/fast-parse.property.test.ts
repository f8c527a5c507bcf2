import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseYaml, parseYamlText } from '../../src/source/parse.js';

/** Scalars a certif file holds: ids, French text with accents and punctuation, numbers, dates. */
const scalar = fc.oneof(
  fc.constantFrom('acquis', 'non_acquis', 'BC01', 'C12', '2026-06-15', '1.0.0', 'true', 'no', '~'),
  fc.string({
    unit: fc.constantFrom(...'abcdeéèàçôû ’\'":,-#()[]{}!?&*|>%@`0123456789'.split('')),
  }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.boolean(),
  fc.constant(null),
);

const key = fc.stringMatching(/^[a-z][a-z_]{0,8}$/);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
  list: fc.array(tie('node'), { maxLength: 4 }),
})).node;

/** YAML as a person or certif writes it: block style, strings quoted only when needed. */
function toYaml(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return v.map((x) => `\n${indent}- ${toYaml(x, indent + '  ').replace(/^\n\s*/, '')}`).join('');
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    return entries.map(([k, x]) => `\n${indent}${k}: ${toYaml(x, indent + '  ')}`).join('');
  }
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

describe('the fast parse path', () => {
  it('gives the same value as the full YAML parser on every file it accepts', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 }), (doc) => {
        const text = toYaml(doc).replace(/^\n/, '') + '\n';
        const full = parseYamlText('x.yaml', text, 'fr');
        const fast = parseYaml('x.yaml', text, 'fr');
        expect(fast.diagnostics).toEqual(full.diagnostics);
        expect(fast.source?.value).toEqual(full.source?.value);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves anchors, tags, directives and duplicate keys to the full parser', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '%YAML 1.1\n---\na: 1\n',
      'a: 1\na: 2\n',
    ]) {
      const fast = parseYaml('x.yaml', text, 'fr');
      const full = parseYamlText('x.yaml', text, 'fr');
      expect(fast.diagnostics).toEqual(full.diagnostics);
      expect(fast.source?.value).toEqual(full.source?.value);
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalWithoutAmendments } from '../../src/model/evaluation-hash.js';
import { canonicalJson } from '../../src/model/hash.js';
import { toResult, type Evaluation, type ResultValue } from '../../src/model/session.js';

const id = fc.oneof(fc.stringMatching(/^C[1-9][0-9]?$/), fc.stringMatching(/^[0-9]{1,2}$/));
/** Text with what JSON escapes (quotes, backslashes, controls, lone surrogates) and accents. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\u0000',
      '\u001f',
      '\ud800',
      '\udc00',
      'é',
      '’',
      '😀',
      'a',
    ),
  }),
);
const result: fc.Arbitrary<ResultValue> = fc.oneof(
  fc.constantFrom('acquis' as const, 'non_acquis' as const),
  fc.record(
    {
      verdict: fc.constantFrom('acquis' as const, 'non_acquis' as const),
      observation: text,
    },
    { requiredKeys: ['verdict'] },
  ),
);

const evaluation = fc.record(
  {
    candidate: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), text),
    bloc: fc.constantFrom('BC01', 'BC02', 'PP'),
    session: fc.constantFrom('s1', '2026-06-rouen'),
    date: fc.constantFrom('2026-06-12', '2026-06-15'),
    jurors: fc.array(fc.constantFrom('jdupont', 'pmartin', 'sroux'), { maxLength: 3 }),
    status: fc.constant('final' as const),
    results: fc.dictionary(id, result, { maxKeys: 20 }),
    finalized: fc.record({
      by: fc.array(fc.constantFrom('jdupont', 'pmartin'), { minLength: 1, maxLength: 2 }),
      at: fc.constant('2026-06-12T09:00:00.000Z'),
    }),
  },
  { requiredKeys: ['candidate', 'bloc', 'session', 'status', 'results'] },
);

describe('the evaluation hash', () => {
  it('hashes the same canonical text by its fast path as the general canonical JSON', () => {
    fc.assert(
      fc.property(evaluation, (e: Evaluation) => {
        const results: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(e.results)) results[k] = toResult(v);
        const general = canonicalJson({
          candidate: e.candidate,
          bloc: e.bloc,
          session: e.session,
          date: e.date ?? null,
          jurors: e.jurors ?? [],
          results,
          finalized: e.finalized ?? null,
          amendments: [],
        });
        expect(canonicalWithoutAmendments(e)).toBe(general);
      }),
      { numRuns: 300 },
    );
  });
});

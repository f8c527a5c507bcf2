import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluationPlace } from '../../src/project/check-evaluations.js';
import { evaluationPath } from '../../src/project/evaluation-store.js';
import { ancestor, classify } from '../../src/project/files.js';
import type { SessionContext } from '../../src/project/session.js';

/** classify as it was written first (split on every call): the reference. */
function classifyReference(abs: string): string {
  const parts = abs.split(path.sep);
  const n = parts.length;
  for (let i = n - 2; i >= 2; i--) {
    if (parts[i] === 'entries' && parts[i - 2] === 'sessions') {
      return i === n - 4 ? 'entry' : 'misplaced';
    }
  }
  const name = parts[n - 1] ?? '';
  if (name === 'session.yaml') return 'session';
  if (name === 'deliberation.yaml') return 'deliberation';
  if (parts[n - 3] === 'evaluations') return 'evaluation';
  return 'referential';
}

// Folder and file names that matter to certif, and others, so that generated paths hit every
// branch: sessions/<s>/evaluations/<c>/<b>.yaml, entries at the right depth and not, roots.
const segment = fc.constantFrom(
  'sessions',
  'entries',
  'evaluations',
  'session.yaml',
  'deliberation.yaml',
  'BC01.yaml',
  'c0001',
  'juin',
  'referentials',
  'a',
  'x.yml',
);
const absolute = fc
  .array(segment, { minLength: 0, maxLength: 9 })
  .map((parts) => `/${parts.join('/')}`);

describe('project file paths', () => {
  it('ancestor(p, n) is path.dirname applied n times', () => {
    fc.assert(
      fc.property(absolute, fc.integer({ min: 0, max: 12 }), (p, n) => {
        let expected = p;
        for (let i = 0; i < n; i++) expected = path.dirname(expected);
        expect(ancestor(p, n)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('classify gives the kind the split-based reference gives', () => {
    fc.assert(
      fc.property(absolute, (p) => {
        expect(classify(p)).toBe(classifyReference(p));
      }),
      { numRuns: 3000 },
    );
    expect(classify('/p/sessions/juin/evaluations/c0001/BC01.yaml')).toBe('evaluation');
    expect(classify('/p/sessions/juin/entries/c0001/BC01/jdupont.yaml')).toBe('entry');
    expect(classify('/p/sessions/juin/entries/stray.yaml')).toBe('misplaced');
    expect(classify('/p/sessions/juin/session.yaml')).toBe('session');
  });

  it('evaluationPath joins plain ids as path.resolve would, and refuses ids leaving the folder', () => {
    const reference = (dir: string, c: string, u: string): string => {
      const base = path.join(dir, 'evaluations');
      const file = path.resolve(base, c, `${u}.yaml`);
      if (!file.startsWith(base + path.sep) || path.basename(path.dirname(file)) !== c)
        return 'refused';
      return file;
    };
    const id = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/),
      fc.constantFrom('..', '.', '', 'a/b', '../x', '.hidden', 'c 1', '-x', 'BC01', 'c0001'),
    );
    const dir = fc.constantFrom(
      '/p/sessions/juin',
      '/p/sessions/../sessions/juin',
      'rel/sessions/s',
    );
    fc.assert(
      fc.property(dir, id, id, (d, c, u) => {
        let actual: string;
        try {
          actual = evaluationPath({ dir: d } as SessionContext, c, u);
        } catch {
          actual = 'refused';
        }
        expect(actual).toBe(reference(d, c, u));
      }),
      { numRuns: 3000 },
    );
  });

  it('evaluationPlace names what path.basename names', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(name, { maxLength: 4 }),
        name,
        name,
        name,
        fc.constantFrom('.yaml', '.yml', '.YAML', ''),
        (above, s, c, b, ext) => {
          const abs = `/${[...above, 'sessions', s, 'evaluations', c, b + ext].join('/')}`;
          expect(evaluationPlace(abs)).toEqual({
            session: path.basename(path.dirname(path.dirname(path.dirname(abs)))),
            candidate: path.basename(path.dirname(abs)),
            bloc: path.basename(abs).replace(/\.ya?ml$/i, ''),
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});

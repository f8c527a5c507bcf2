import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect, isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { CORE_SCHEMA, load } from 'js-yaml';
import { Document } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readBlockSubset } from '../../src/source/block-subset.js';
import { documentText } from '../../src/source/edit.js';
import { repoRoot, runInProcess } from '../helpers/cli.js';

/**
 * The block-subset reader answers either "not mine" (undefined) or exactly what js-yaml reads,
 * with the options certif's fast path uses; js-yaml must then read the text without error.
 */
function agreesWithJsYaml(text: string): boolean {
  const mine = readBlockSubset(text);
  if (mine === undefined) return false;
  let theirs: unknown;
  try {
    theirs = load(text, { schema: CORE_SCHEMA, json: false });
  } catch (e) {
    throw new Error(`the subset read a text js-yaml refuses (${String(e)}):\n${text}`);
  }
  // isDeepStrictEqual compares prototypes, not a `constructor` key a document may hold.
  if (!isDeepStrictEqual(mine, theirs))
    expect.fail(`the subset and js-yaml differ on:\n${text}\n${inspect(mine)}\n${inspect(theirs)}`);
  return true;
}

const repo = repoRoot;

/** Characters that mean something to YAML, and text a juror types. */
const CLEAN = [
  ...'abcnftNTF_éà’«» 0123456789.-+:#,[]{}"\'\\!&*|>?%@`~=()/'.split(''),
  '\u00a0',
  '\u2028',
  '\ufeff',
];
/** Characters the subset leaves to the parsers, or that make the writer change style. */
const NASTY = ['\t', '\r', '\n', '\u0085', '\u0007', '😀', '\ud800'];
const CHARS = [...CLEAN, ...NASTY];
const text = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 40 });
const cleanText = fc.string({ unit: fc.constantFrom(...CLEAN), maxLength: 40 });

/** Scalars a certif file holds, and the ones YAML resolves to something else than a string. */
const WORDS = [
  'acquis',
  'non_acquis',
  'C12',
  'BC01',
  'jdupont',
  '2026-06-15',
  '2026-06-15T11:54:46.000Z',
  'null',
  'Null',
  'NULL',
  '~',
  'true',
  'True',
  'TRUE',
  'false',
  'FALSE',
  'yes',
  'no',
  'on',
  '0',
  '12',
  '+12',
  '-3',
  '0x1F',
  '0o17',
  '0b101',
  '1_000',
  '1.5',
  '.5',
  '1e3',
  '6.02e+23',
  '.inf',
  '-.Inf',
  '+.INF',
  '.nan',
  '.NaN',
  '1.0.0',
  '007',
  '0.',
  '__proto__',
  'constructor',
  'toString',
  'C#',
  'a:b',
  'x.y',
];
const word = fc.constantFrom(...WORDS);
const key = fc.oneof(fc.constantFrom(...WORDS), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,6}$/));
const plainKey = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,6}$/)
  .filter((k) => !WORDS.includes(k));

/** Documents of any shape, their strings and keys drawn from `str` and `k`. */
function documents(str: fc.Arbitrary<string>, k: fc.Arbitrary<string>) {
  const scalar = fc.oneof(word, str, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
    map: fc.dictionary(k, tie('node'), { maxKeys: 5 }),
    list: fc.array(tie('node'), { maxLength: 4 }),
  })).node;
  return fc.dictionary(k, value, { minKeys: 1, maxKeys: 6 });
}
const topLevel = documents(text, key);

/** A document as certif writes it (the `yaml` package, no folding, `[a, b]` lists). */
function written(
  v: Record<string, unknown>,
  flowLists: boolean,
  ids: readonly unknown[] = ['sroux', 'pmartin'],
): string {
  const doc = new Document(v);
  if (flowLists) doc.setIn(['jurors'], Object.assign(doc.createNode(ids), { flow: true }));
  return '# yaml-language-server: $schema=x.json\n\n' + documentText(doc);
}

/** Edits that break structure the way hands and bad tools do. */
const edit = fc.oneof(
  fc.record({
    at: fc.nat(),
    insert: fc.constantFrom(...CHARS, '  ', ': ', ' #', '- ', '\n  ', '"', "''"),
  }),
  fc.record({ at: fc.nat(), remove: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ line: fc.nat(), indent: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ line: fc.nat(), duplicate: fc.constant(true) }),
);
type Edit = { at?: number; insert?: string; remove?: number; line?: number; indent?: number };

function applyEdit(source: string, e: Edit): string {
  if (e.line !== undefined) {
    const lines = source.split('\n');
    const i = e.line % lines.length;
    const line = lines[i] as string;
    if (e.indent === undefined) lines.splice(i, 0, line);
    else lines[i] = e.indent >= 0 ? ' '.repeat(e.indent) + line : line.replace(/^ {1,3}/, '');
    return lines.join('\n');
  }
  const at = (e.at ?? 0) % (source.length + 1);
  return source.slice(0, at) + (e.insert ?? '') + source.slice(at + (e.remove ?? 0));
}

describe('the block-subset reader (fast path of every certif file)', () => {
  it('reads the forms certif and people write, and leaves the rest', () => {
    const read: [string, unknown][] = [
      ["a: 'it''s'\n", { a: "it's" }],
      ['a: "l\\u2019offre \\"x\\""  \n', { a: 'l’offre "x"' }],
      ['jurors: [sroux, pmartin]\n', { jurors: ['sroux', 'pmartin'] }],
      ['a:\n- x\n- -y\nb: 1\n', { a: ['x', '-y'], b: 1 }],
      ['a:\n  - at: x\n    by: [p]\n  - - 1.5\n', { a: [{ at: 'x', by: ['p'] }, [1.5]] }],
      ['# comment\n\na: b # no\n', undefined],
      ['# comment\na:\n  # between\n  b: 1\n# c\nc: 2\n', { a: { b: 1 }, c: 2 }],
      ['a: b\n  c\n', undefined],
      ['a: |\n  x\n', undefined],
      ['a: 1\na: 2\n', undefined],
      ['__proto__: 1\n', undefined],
      ['a:\tb\n', undefined],
      // U+00A0 and other Unicode spaces are text in YAML, not padding (found by a review).
      ['a: [x\u00a0, y]\n', undefined],
      ['a: [\u00a0]\n', undefined],
      ['a: [ x ,y ]\n', { a: ['x', 'y'] }],
    ];
    for (const [text, value] of read) {
      expect(readBlockSubset(text), text).toEqual(value);
      if (value !== undefined) expect(agreesWithJsYaml(text)).toBe(true);
    }
  });

  it('reads what certif writes, and reads it as js-yaml does', () => {
    fc.assert(
      fc.property(topLevel, fc.boolean(), (v, flow) => {
        agreesWithJsYaml(written(v, flow));
      }),
      { numRuns: 400 },
    );
  });

  it('reads [a, b] lists as js-yaml does, whatever their items', () => {
    const item = fc.oneof(
      word,
      cleanText,
      fc.constantFrom('\u00a0', 'x\u00a0', '\u2028y', '\ufeff', ' a '),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 4 }), (ids) => {
        agreesWithJsYaml(written({ candidate: 'c001' }, true, ids));
      }),
      { numRuns: 1000 },
    );
  });

  it('reads most of what certif writes', () => {
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(documents(cleanText, plainKey), fc.boolean(), (v, flow) => {
        runs += 1;
        if (agreesWithJsYaml(written(v, flow))) read += 1;
      }),
      { numRuns: 400 },
    );
    // Not a vacuous test: most documents are in the subset (without multi-line strings, tabs,
    // controls, astral characters or special keys, which the writer quotes or folds).
    expect(read / runs).toBeGreaterThan(0.8);
  });

  it('reads evaluations as certif writes them, every time', () => {
    const observation = fc.string({
      unit: fc.constantFrom(...'abcéàç’«» ;:,.!?()-#"\'0123456789'.split('')),
      maxLength: 200,
    });
    const verdict = fc.constantFrom('acquis', 'non_acquis');
    const results = fc.dictionary(
      fc.stringMatching(/^C[1-9][0-9]?$/),
      fc.oneof(verdict, fc.record({ verdict, observation })),
      { minKeys: 1, maxKeys: 20 },
    );
    fc.assert(
      fc.property(results, fc.boolean(), (r, flow) => {
        const evaluation = {
          candidate: 'c001',
          bloc: 'BC02',
          session: 'juin-2026',
          date: '2026-06-15',
          jurors: ['sroux', 'pmartin'],
          status: 'final',
          results: r,
          finalized: { by: ['sroux', 'pmartin'], at: '2026-06-15T14:30:00.000Z' },
          hash: 'sha256:' + '0'.repeat(64),
        };
        expect(agreesWithJsYaml(written(evaluation, flow))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('answers "not mine" or exactly js-yaml on texts damaged by hand', () => {
    fc.assert(
      fc.property(
        topLevel,
        fc.boolean(),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        (v, flow, edits) => {
          let damaged = written(v, flow);
          for (const e of edits) damaged = applyEdit(damaged, e);
          agreesWithJsYaml(damaged);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('answers "not mine" or exactly js-yaml on texts made of YAML pieces', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        '  ',
        '    ',
        '- ',
        '-',
        '# c',
        ' # c',
        ':',
        ': ',
        ' :',
        '\n',
        '\n  ',
        '\n    ',
        '\n- ',
        '\n  - ',
        '[]',
        '[ ]',
        '{}',
        '[a, b]',
        '[a,b]',
        '[a, ]',
        '[1, true, null]',
        '[a b]',
        '"',
        "'",
        '""',
        "''",
        '"a\\"b"',
        '"\\x41\\u00e9\\U0001F600"',
        '"\\q"',
        '"\\',
        "'it''s'",
        '|',
        '|-',
        '>',
        '&a ',
        '*a',
        '!t ',
        '!!str ',
        '? ',
        '---',
        '...',
        '%YAML 1.2',
        '<<: ',
        '\t',
        '\r\n',
      ),
      key.map((k) => `${k}: `),
      key.map((k) => `${k}:`),
      word,
      text,
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        agreesWithJsYaml(pieces.join(''));
      }),
      { numRuns: 3000 },
    );
  });

  it('answers "not mine" or exactly js-yaml on documents of tricky lines', () => {
    // Lines that look like certif's, with the scalars YAML reads in surprising ways.
    const tricky = fc.constantFrom(
      'b #c',
      'b#c',
      'b # c',
      "'it''s'",
      "'a''''b'",
      "''",
      "'a' ",
      '"\\N\\_\\L\\P\\e\\0"',
      '"\\x41\\u00e9\\U0001F600\\t\\/"',
      '"a\\"b"',
      '"a" #c',
      '-x',
      '- x',
      '-',
      '?x',
      '? x',
      ':x',
      ': x',
      'x:',
      'x: y',
      'a:b',
      '[a, b]',
      '[a,b ]',
      '[ a ]',
      '[a, 1, true, null, ~]',
      '[a, -1]',
      '[a, "b"]',
      '[a, b] #c',
      '{}',
      '{ }',
      '{a: 1}',
      '|',
      '>-',
      '&x y',
      '*x',
      '!x y',
      'x ',
      'é’«»',
      '~',
      'null',
      'Null',
      'TRUE',
      '0x1F',
      '0o17',
      '1_000',
      '1e3',
      '.inf',
      '.NaN',
      '+1',
      '-0',
      '007',
      '2026-06-15',
      '2026-06-15T14:30:00.000Z',
      '%x',
      '@x',
      '`x',
      '= 1+1',
    );
    const k = plainKey;
    const entry = fc.oneof(
      fc.tuple(k, tricky).map(([a, v]) => `${a}: ${v}`),
      fc
        .tuple(k, fc.array(fc.tuple(k, tricky), { minLength: 1, maxLength: 4 }))
        .map(([a, xs]) => `${a}:\n` + xs.map(([b, v]) => `  ${b}: ${v}`).join('\n')),
      fc
        .tuple(k, fc.array(tricky, { minLength: 1, maxLength: 4 }), fc.boolean())
        .map(
          ([a, xs, compact]) =>
            `${a}:\n` + xs.map((v) => `${compact ? '' : '  '}- ${v}`).join('\n'),
        ),
      fc
        .tuple(k, fc.array(fc.tuple(k, tricky, k, tricky), { minLength: 1, maxLength: 3 }))
        .map(
          ([a, xs]) =>
            `${a}:\n` + xs.map(([b, v, c, w]) => `  - ${b}: ${v}\n    ${c}: ${w}`).join('\n'),
        ),
    );
    let read = 0;
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 6 }),
        fc.array(edit, { maxLength: 1 }),
        (entries, edits) => {
          let text = entries.join('\n') + '\n';
          for (const e of edits) text = applyEdit(text, e);
          if (agreesWithJsYaml(text)) read += 1;
        },
      ),
      { numRuns: 4000 },
    );
    // Not vacuous: many of these documents are in the subset.
    expect(read).toBeGreaterThan(200);
  });

  it('agrees with js-yaml on every YAML file of the repository and of a demo project', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'certif-subset-'));
    try {
      const demo = path.join(dir, 'demo');
      expect((await runInProcess(['demo', demo], { cwd: dir })).code).toBe(0);
      const files = [
        ...execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: repo, encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map((f) => path.join(repo, f)),
        ...readdirSync(demo, { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.yaml'))
          .map((f) => path.join(demo, f)),
      ];
      let read = 0;
      for (const f of files) if (agreesWithJsYaml(readFileSync(f, 'utf8'))) read += 1;
      // Every evaluation and deliberation certif wrote for the demo is read by the subset.
      const written = files.filter((f) => /evaluations|deliberation/.test(f));
      expect(written.length).toBeGreaterThan(5);
      for (const f of written) expect(readBlockSubset(readFileSync(f, 'utf8')), f).toBeDefined();
      expect(read).toBeGreaterThan(written.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

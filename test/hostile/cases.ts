import { readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_FILE_BYTES } from '../../src/project/load.js';
import { repoRoot, runInProcess } from '../helpers/cli.js';
import {
  posAt,
  posOf,
  replaceOnce,
  type BinaryRun,
  type CaseDir,
  type PrintedDiagnostic,
} from './harness.js';

/** A diagnostic a case expects: its rule, and where it points when that is meaningful. */
export interface ExpectedDiagnostic {
  readonly ruleId: string;
  /** Path as printed (relative to the project folder); not checked when absent. */
  readonly file?: string;
  readonly line?: number;
  /** An exact column, or an inclusive range when the parser may point anywhere on the token. */
  readonly column?: number | readonly [number, number];
  readonly message?: RegExp;
}

/** What a prepared case runs and expects. */
export interface Prepared {
  readonly argv: readonly string[];
  readonly code: number;
  /**
   * The error and warning diagnostics, exactly (info diagnostics are ignored). Absent when the
   * command fails with a one-line message instead (see `output`).
   */
  readonly diagnostics?: readonly ExpectedDiagnostic[];
  /** Something stdout + stderr must show (for usage errors without a diagnostic list). */
  readonly output?: RegExp;
  /** Paths (relative to the project folder) a successful command may write. */
  readonly mayChange?: readonly string[];
  /** CPU time the run may use (default 10 s). */
  readonly cpuLimitMs?: number;
  /** Wall-clock time after which the run is killed (default 30 s, generous for a loaded machine). */
  readonly timeoutMs?: number;
  /** Further checks on the run and its diagnostics. */
  readonly check?: (run: BinaryRun, diagnostics: readonly PrintedDiagnostic[]) => void;
  /** Checks on the project after the run (for commands that write). */
  readonly after?: (dir: CaseDir) => Promise<void>;
}

/** One hostile input. */
export interface HostileCase {
  readonly name: string;
  readonly area: 'référentiel' | 'session' | 'evaluation' | 'entry' | 'csv' | 'interop';
  /** Needs the base project (session s1, candidates c001/c002, c001 BC01 graded as a draft). */
  readonly project?: boolean;
  /** Slow by design (large inputs, or a bug that burns its whole time limit): run alone. */
  readonly heavy?: boolean;
  /** A bug in src this case exposes: the case is expected to fail (`it.fails`) until fixed. */
  readonly bug?: string;
  prepare(dir: CaseDir): Promise<Prepared>;
}

// ── shared inputs ──────────────────────────────────────────────────────────────────────────────

/** The bundled référentiel, the base every référentiel case corrupts. */
export const REF = readFileSync(
  path.join(repoRoot, 'referentials', 'relation-client.yaml'),
  'utf8',
);

const REF_FILE = 'referential.yaml';
const validateRef = ['validate', REF_FILE, '--format', 'json'] as const satisfies readonly string[];

export const SESSION = 'sessions/s1/session.yaml';
export const EVALUATION = 'sessions/s1/evaluations/c001/BC01.yaml';
const CSV_HEADER = 'identifiant;nom;prénom;blocs;aménagements\n';

const at = (
  ruleId: string,
  pos: { line: number; column: number },
  extra: Partial<ExpectedDiagnostic> = {},
): ExpectedDiagnostic => ({ ruleId, line: pos.line, column: pos.column, ...extra });

/** Offset `n` columns further on the same line. */
const right = (pos: { line: number; column: number }, n: number) => ({
  line: pos.line,
  column: pos.column + n,
});

/** A référentiel case: write `text` (or bytes) as a loose file and validate it. */
function refCase(
  name: string,
  build: () => { content: string | Uint8Array; diagnostics: ExpectedDiagnostic[]; code?: number },
  extra: Partial<Pick<HostileCase, 'bug' | 'heavy'>> & Partial<Prepared> = {},
): HostileCase {
  const { bug, heavy, ...prepared } = extra;
  return {
    name,
    area: 'référentiel',
    ...(bug ? { bug } : {}),
    ...(heavy ? { heavy } : {}),
    async prepare(dir) {
      const { content, diagnostics, code } = build();
      await dir.write(REF_FILE, content);
      return {
        argv: validateRef,
        code: code ?? (diagnostics.length > 0 ? 1 : 0),
        diagnostics: diagnostics.map((d) => ({ file: REF_FILE, ...d })),
        ...prepared,
      };
    },
  };
}

/** A project file case: corrupt `file` with `edit`, then run `argv` (validate by default). */
function fileCase(
  area: 'session' | 'evaluation',
  name: string,
  file: string,
  edit: (text: string) => { text: string | Uint8Array; diagnostics: ExpectedDiagnostic[] },
  extra: Partial<Pick<HostileCase, 'bug' | 'heavy'>> & Partial<Prepared> = {},
): HostileCase {
  const { bug, heavy, ...prepared } = extra;
  return {
    name,
    area,
    project: true,
    ...(bug ? { bug } : {}),
    ...(heavy ? { heavy } : {}),
    async prepare(dir) {
      const { text, diagnostics } = edit(await dir.read(file));
      await dir.write(file, text);
      return {
        argv: ['validate', file, '--format', 'json'],
        code: diagnostics.length > 0 ? 1 : 0,
        diagnostics: diagnostics.map((d) => ({ file, ...d })),
        ...prepared,
      };
    },
  };
}

/** A CSV case: write `candidats.csv` and import it into the base project. */
function csvCase(
  name: string,
  content: string | Uint8Array,
  diagnostics: ExpectedDiagnostic[],
  extra: Partial<Pick<HostileCase, 'bug' | 'heavy'>> & Partial<Prepared> = {},
): HostileCase {
  const { bug, heavy, ...prepared } = extra;
  return {
    name,
    area: 'csv',
    project: true,
    ...(bug ? { bug } : {}),
    ...(heavy ? { heavy } : {}),
    async prepare(dir) {
      await dir.write('candidats.csv', content);
      return {
        argv: ['candidates', 'import', 'candidats.csv'],
        code: diagnostics.length > 0 ? 1 : 0,
        diagnostics: diagnostics.map((d) => ({ file: 'candidats.csv', ...d })),
        ...prepared,
      };
    },
  };
}

/** `n` levels of a nesting pattern: `[[[…]]]`, `{a: {a: …}}`, `- - - x`, … */
export function deepYaml(
  kind: 'seq' | 'map' | 'mixed' | 'block-seq' | 'open-seq' | 'open-map',
  n: number,
): {
  text: string;
  /** Offset of the first node deeper than certif's limit of 64 levels. */
  tooDeepAt: number;
} {
  switch (kind) {
    case 'seq':
      return { text: `a: ${'['.repeat(n)}${']'.repeat(n)}\n`, tooDeepAt: 3 + 64 };
    case 'open-seq':
      return { text: `a: ${'['.repeat(n)}\n`, tooDeepAt: 3 + 64 };
    case 'open-map':
      return { text: `a: ${'{'.repeat(n)}\n`, tooDeepAt: 3 + 64 };
    case 'map':
      return { text: `a: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`, tooDeepAt: 3 + 4 * 64 };
    case 'mixed':
      return {
        text: `a: ${'[{a: '.repeat(n / 2)}1${'}]'.repeat(n / 2)}\n`,
        tooDeepAt: 3 + 5 * 32,
      };
    case 'block-seq':
      return { text: `${'- '.repeat(n)}x\n`, tooDeepAt: 2 * 65 };
  }
}

/** YAML billion laughs: ten levels of nine aliases each (9^9 strings once expanded). */
export function billionLaughs(): { text: string; firstAlias: number } {
  let text = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n`;
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    text += `${cur}: &${cur} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]\n`;
  }
  return { text, firstAlias: text.indexOf('*a') };
}

/** `n` lines `k<i>: <i>` (one map), and the text after them. */
const manyKeys = (n: number, prefix = 'k') => {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`${prefix}${i}: ${i}`);
  return lines.join('\n') + '\n';
};

const NFC = 'Hélène'.normalize('NFC');
const NFD = 'Hélène'.normalize('NFD');

const CONFLICT = (ours: string, theirs: string) =>
  `<<<<<<< HEAD\n${ours}\n=======\n${theirs}\n>>>>>>> branche-jury\n`;

const onlyErrors = (diagnostics: readonly PrintedDiagnostic[]) =>
  diagnostics.filter((d) => d.severity !== 'info');

// ── référentiel ────────────────────────────────────────────────────────────────────────────────

const referentialCases: HostileCase[] = [
  refCase('syntax error: a quote left open', () => {
    const text = replaceOnce(REF, 'suivi administratif"\n', 'suivi administratif\n');
    const title = posOf(text, 'title: "');
    return {
      content: text,
      // On the quote left open (column 8 of the title's line), named as such.
      diagnostics: [
        { ruleId: 'yaml/unclosed-quote', line: title.line, column: 8, message: /jamais fermé/ },
      ],
    };
  }),
  refCase(
    'syntax error: a flow map left open',
    () => {
      const text = replaceOnce(
        REF,
        'jury:\n  size: 2\n  min_independent: 1\n',
        'jury: {size: 2, min_independent: 1\n',
      );
      return {
        content: text,
        diagnostics: [at('yaml/unclosed', right(posOf(text, 'jury: {'), 6))],
      };
    },
    {
      check: (_run, diagnostics) => {
        const [d] = onlyErrors(diagnostics);
        if (!d || !/jamais fermé/.test(d.message))
          throw new Error(`unclear message: ${d?.message}`);
      },
    },
  ),
  refCase('a tab used for indentation', () => {
    const text = replaceOnce(REF, '\n  size: 2', '\n\tsize: 2');
    return {
      content: text,
      diagnostics: [at('yaml/syntax', posOf(text, '\tsize'), { message: /tabulation/ })],
    };
  }),
  // Lengths are counted in characters, not UTF-16 units: 2,000 emoji are 4,000 units (the
  // validators only count characters when the units exceed the limit: scripts/build-validators.mjs).
  refCase('a title of 2,000 emoji: at the limit, accepted', () => {
    const title =
      '"Gestion de la relation client, coordination commerciale et suivi administratif"';
    return { content: replaceOnce(REF, title, '😀'.repeat(2000)), diagnostics: [] };
  }),
  refCase('a title of 2,001 emoji: one over the limit', () => {
    const title =
      '"Gestion de la relation client, coordination commerciale et suivi administratif"';
    const text = replaceOnce(REF, title, '😀'.repeat(2001));
    return {
      content: text,
      diagnostics: [
        at('schema/range', right(posOf(text, 'title: 😀'), 7), {
          message: /au plus 2000 caractères/,
        }),
      ],
    };
  }),
  refCase('duplicate key', () => {
    const text = replaceOnce(REF, 'legal_basis:', 'title: "Autre intitulé"\nlegal_basis:');
    return {
      content: text,
      diagnostics: [at('yaml/duplicate-key', posOf(text, 'title: "Autre'), { message: /ligne 7/ })],
    };
  }),
  refCase('duplicate key, NFC vs NFD "Hélène"', () => {
    const text = replaceOnce(REF, 'jury:\n', `jury:\n  ${NFC}: 1\n  ${NFD}: 2\n`);
    return {
      content: text,
      diagnostics: [at('yaml/duplicate-key', posOf(text, `  ${NFD}:`), { column: 3 })],
    };
  }),
  refCase(
    '40,000 keys in one map, the last a duplicate (linear check)',
    () => {
      const text = manyKeys(40_000) + 'k0: again\n';
      return {
        content: text,
        diagnostics: [{ ruleId: 'yaml/duplicate-key', line: 40_001, column: 1 }],
      };
    },
    { heavy: true, cpuLimitMs: 5_000 },
  ),
  refCase(
    '40,000 unknown keys in a valid référentiel (bounded time)',
    () => {
      const text = REF + manyKeys(40_000, 'x');
      return { content: text, diagnostics: [] };
    },
    {
      heavy: true,
      cpuLimitMs: 5_000,
      timeoutMs: 6_000,
      code: 1,
      check: (_run, diagnostics) => {
        const errors = onlyErrors(diagnostics);
        if (errors.length === 0) throw new Error('no diagnostic');
        // The first errors are listed, then how many more (schema/too-many).
        if (errors.some((d) => !['schema/unknown-property', 'schema/too-many'].includes(d.ruleId)))
          throw new Error('expected unknown-property diagnostics only');
        if (errors.length > 60) throw new Error('expected a capped list of diagnostics');
        const first = errors[0];
        if (first?.line !== 278 || first.column !== 1) throw new Error('first not at 278:1');
      },
      // The list of diagnostics is not fixed (one per key, or capped): checked above instead.
      diagnostics: undefined,
    },
  ),
  refCase('billion laughs (alias bomb)', () => {
    const { text, firstAlias } = billionLaughs();
    return { content: text, diagnostics: [at('yaml/alias-limit', posAt(text, firstAlias))] };
  }),
  refCase('nesting 10,000 levels deep', () => {
    const { text, tooDeepAt } = deepYaml('seq', 10_000);
    return { content: text, diagnostics: [at('yaml/too-deep', posAt(text, tooDeepAt))] };
  }),
  {
    name: 'eight files nested 10,000 deep in ONE validate process (no V8 abort)',
    area: 'référentiel',
    heavy: true,
    async prepare(dir) {
      const kinds = [
        'seq',
        'map',
        'mixed',
        'block-seq',
        'open-seq',
        'open-map',
        'seq',
        'map',
      ] as const;
      const diagnostics: ExpectedDiagnostic[] = [];
      for (const [i, kind] of kinds.entries()) {
        const { text, tooDeepAt } = deepYaml(kind, 10_000);
        const file = `deep/d${i}.yaml`;
        await dir.write(file, text);
        diagnostics.push({ file, ...at('yaml/too-deep', posAt(text, tooDeepAt)) });
      }
      return { argv: ['validate', 'deep', '--format', 'json'], code: 1, diagnostics };
    },
  },
  refCase('a 5 MB scalar', () => ({
    content: `id: "${'x'.repeat(5 * 1024 * 1024)}"\n`,
    diagnostics: [{ ruleId: 'file/too-large', line: 1, column: 1 }],
  })),
  refCase('a 1.5 MB title, under the file size limit', () => {
    const text = replaceOnce(REF, 'title: "Gestion', `title: "${'é'.repeat(750_000)}Gestion`);
    return { content: text, diagnostics: [at('schema/range', right(posOf(text, 'title: "'), 7))] };
  }),
  refCase('invalid UTF-8 in the middle of the file', () => {
    const bytes = Buffer.from(REF, 'utf8');
    const i = bytes.indexOf('article L6113-1');
    bytes[i] = 0xff;
    return { content: bytes, diagnostics: [{ ruleId: 'yaml/encoding', line: 1, column: 1 }] };
  }),
  refCase('a UTF-8 BOM (legitimate)', () => ({
    content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(REF)]),
    diagnostics: [],
  })),
  refCase('CRLF line ends (legitimate)', () => ({
    content: REF.replace(/\n/g, '\r\n'),
    diagnostics: [],
  })),
  refCase('BOM and CRLF: a duplicate key is still placed on its line', () => {
    const text = replaceOnce(REF, 'legal_basis:', 'version: "2.0.0"\nlegal_basis:').replace(
      /\n/g,
      '\r\n',
    );
    return {
      content: '\uFEFF' + text,
      diagnostics: [at('yaml/duplicate-key', posOf(text, 'version: "2.0.0"'))],
    };
  }),
  refCase(
    'CR-only line ends (old Mac)',
    () => ({ content: REF.replace(/\n/g, '\r'), diagnostics: [] }),
    {
      diagnostics: undefined,
      check: (run, diagnostics) => {
        const errors = onlyErrors(diagnostics);
        const accepted = run.code === 0 && errors.length === 0;
        const refusedClearly =
          run.code === 1 && errors.length === 1 && errors[0]?.ruleId !== 'yaml/empty';
        if (!accepted && !refusedClearly)
          throw new Error(`CR-only: ${errors.map((d) => d.ruleId).join(', ')}`);
      },
    },
  ),
  refCase('a __proto__ key', () => {
    const text = replaceOnce(REF, 'jury:\n', 'jury:\n  __proto__: {size: 9}\n');
    return {
      content: text,
      diagnostics: [
        at('schema/unknown-property', posOf(text, '__proto__'), { message: /__proto__/ }),
      ],
    };
  }),
  refCase('a constructor key', () => {
    const text = replaceOnce(
      REF,
      '  min_independent: 1\n',
      '  min_independent: 1\n  constructor: 1\n',
    );
    return {
      content: text,
      diagnostics: [at('schema/unknown-property', posOf(text, 'constructor'))],
    };
  }),
  refCase('a toString key', () => {
    const text = replaceOnce(REF, 'legal_basis:', 'toString: x\nlegal_basis:');
    return {
      content: text,
      diagnostics: [at('schema/unknown-property', posOf(text, 'toString'))],
    };
  }),
  refCase('a merge key <<', () => {
    const text = replaceOnce(REF, 'jury:\n', 'jury:\n  <<: {size: 9}\n');
    return {
      content: text,
      diagnostics: [at('schema/unknown-property', posOf(text, '<<:'), { message: /<</ })],
    };
  }),
  ...(
    [
      '!!js/function "function () { return 1 }"',
      '!!binary aGVsbG8=',
      '!!set {a, b}',
      '!!timestamp 2025-01-01',
    ] as const
  ).map((tagged) =>
    refCase(`custom tag ${tagged.split(' ')[0] ?? ''}`, () => {
      const text = replaceOnce(
        REF,
        'legal_basis: "Code du travail, article L6113-1"',
        `legal_basis: ${tagged}`,
      );
      return {
        content: text,
        diagnostics: [
          at('yaml/tag', posOf(text, tagged.split(' ')[0] ?? ''), {
            message: new RegExp(`« ${(tagged.split(' ')[0] ?? '').replace(/[!/]/g, '\\$&')} »`),
          }),
        ],
      };
    }),
  ),
  refCase('a %YAML 1.1 directive', () => ({
    content: `%YAML 1.1\n---\n${REF}`,
    diagnostics: [{ ruleId: 'yaml/version', line: 1, column: 1 }],
  })),
  refCase('a second --- document', () => {
    const text = `${REF}---\nid: autre\n`;
    return {
      content: text,
      diagnostics: [at('yaml/multiple-documents', posOf(text, '---\nid: autre'))],
    };
  }),
  refCase('git conflict markers', () => {
    const text = replaceOnce(REF, '  size: 2\n', CONFLICT('  size: 2', '  size: 3'));
    return { content: text, diagnostics: [at('yaml/syntax', posOf(text, '<<<<<<<'))] };
  }),
  refCase('version: 1.0 (a number, not a string)', () => {
    const text = replaceOnce(REF, 'version: "1.0.0"', 'version: 1.0');
    return {
      content: text,
      diagnostics: [at('schema/type', right(posOf(text, 'version: 1.0'), 9))],
    };
  }),
  refCase('a number as bloc id', () => {
    const text = replaceOnce(REF, '  - id: BC01', '  - id: 1');
    return { content: text, diagnostics: [at('schema/type', right(posOf(text, '  - id: 1'), 8))] };
  }),
  refCase('a misspelt key (sise)', () => {
    const text = replaceOnce(REF, '  size: 2', '  sise: 2');
    return {
      content: text,
      diagnostics: [
        at('schema/unknown-property', right(posOf(text, '  sise'), 2), { message: /« size »/ }),
      ],
    };
  }),
  refCase('an unknown key', () => {
    const text = replaceOnce(REF, 'legal_basis:', 'colour: blue\nlegal_basis:');
    return { content: text, diagnostics: [at('schema/unknown-property', posOf(text, 'colour'))] };
  }),
  refCase('an empty file', () => ({
    content: '',
    diagnostics: [{ ruleId: 'yaml/empty', line: 1, column: 1 }],
  })),
  refCase('a comment-only file', () => ({
    content: '# yaml-language-server: $schema=x\n# rien\n\n',
    diagnostics: [{ ruleId: 'yaml/empty', line: 1, column: 1 }],
  })),
  refCase('a bloc id with ../', () => {
    const text = replaceOnce(REF, '  - id: BC01', '  - id: ../BC01');
    return {
      content: text,
      diagnostics: [at('schema/format', right(posOf(text, '  - id: ../'), 8))],
    };
  }),
  refCase('a bloc id with NUL', () => {
    const text = replaceOnce(REF, '  - id: BC01', '  - id: "BC\\0"');
    return {
      content: text,
      diagnostics: [at('schema/format', right(posOf(text, '  - id: "BC'), 8))],
    };
  }),
];

// ── session.yaml ───────────────────────────────────────────────────────────────────────────────

const sessionEdit =
  (
    search: string,
    replacement: string,
    rule: string,
    needle: string,
    offset = 0,
    message?: RegExp,
  ) =>
  (text: string) => {
    const next = replaceOnce(text, search, replacement);
    return {
      text: next,
      diagnostics: [at(rule, right(posOf(next, needle), offset), message ? { message } : {})],
    };
  };

const sessionCases: HostileCase[] = [
  fileCase(
    'session',
    'a duplicate candidate id',
    SESSION,
    sessionEdit(
      '  - id: c002',
      '  - id: c001',
      'session/duplicate-id',
      '  - id: c001\n    family_name: Martin',
      8,
    ),
  ),
  fileCase(
    'session',
    'a candidate id with ../',
    SESSION,
    sessionEdit('  - id: c002', '  - id: ../c002', 'schema/format', '../c002'),
  ),
  fileCase(
    'session',
    'a candidate id with /',
    SESSION,
    sessionEdit('  - id: c002', '  - id: a/c002', 'schema/format', 'a/c002'),
  ),
  fileCase(
    'session',
    'a candidate id with NUL',
    SESSION,
    sessionEdit('  - id: c002', '  - id: "c0\\002"', 'schema/format', '"c0'),
  ),
  fileCase(
    'session',
    'a number as candidate id',
    SESSION,
    sessionEdit('  - id: c002', '  - id: 2', 'schema/type', '  - id: 2', 8),
  ),
  fileCase(
    'session',
    'a number as juror id',
    SESSION,
    sessionEdit('\n  - id: pmartin', '\n  - id: 42', 'schema/type', '  - id: 42', 8),
  ),
  fileCase(
    'session',
    'referential version: 1.0 (a number)',
    SESSION,
    sessionEdit('  version: "1.0.0"', '  version: 1.0', 'schema/type', '  version: 1.0', 11),
  ),
  fileCase('session', 'an unquoted date (a string in YAML 1.2: legitimate)', SESSION, (text) => ({
    text: replaceOnce(text, 'start: "2026-06-12"', 'start: 2026-06-12'),
    diagnostics: [],
  })),
  fileCase(
    'session',
    'a __proto__ key in a candidate',
    SESSION,
    sessionEdit(
      '  - id: c002\n',
      '  - id: c002\n    __proto__: {admin: true}\n',
      'schema/unknown-property',
      '__proto__',
    ),
  ),
  fileCase(
    'session',
    'a constructor key in a candidate',
    SESSION,
    sessionEdit(
      '    given_name: Hugo\n',
      '    given_name: Hugo\n    constructor: x\n',
      'schema/unknown-property',
      'constructor',
    ),
  ),
  fileCase(
    'session',
    'a tab used for indentation',
    SESSION,
    sessionEdit('  name: "Centre', '\tname: "Centre', 'yaml/syntax', '\tname'),
  ),
  fileCase(
    'session',
    'duplicate key, NFC vs NFD "Hélène"',
    SESSION,
    sessionEdit(
      'centre:\n',
      `centre:\n  ${NFC}: 1\n  ${NFD}: 2\n`,
      'yaml/duplicate-key',
      `  ${NFD}:`,
      2,
    ),
  ),
  fileCase(
    'session',
    'a merge key <<',
    SESSION,
    sessionEdit('\nid: s1\n', '\nid: s1\n<<: {title: x}\n', 'schema/unknown-property', '<<:'),
  ),
  fileCase('session', 'a second --- document', SESSION, (text) => {
    const next = `${text}---\nid: s2\n`;
    return { text: next, diagnostics: [at('yaml/multiple-documents', posOf(next, '---\nid: s2'))] };
  }),
  {
    name: 'session.yaml is a folder (validate)',
    area: 'session',
    project: true,
    async prepare(dir) {
      await dir.remove(SESSION);
      await dir.mkdir(SESSION);
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [{ ruleId: 'file/not-a-file', file: SESSION, line: 1, column: 1 }],
      };
    },
  },
  {
    name: 'session.yaml is a folder (grade)',
    area: 'session',
    project: true,
    async prepare(dir) {
      await dir.remove(SESSION);
      await dir.mkdir(SESSION);
      return {
        argv: ['grade', 'c001', 'BC01', '--set', 'C3=A'],
        code: 1,
        diagnostics: [{ ruleId: 'file/not-a-file', file: SESSION, line: 1, column: 1 }],
      };
    },
  },
  fileCase(
    'session',
    'grade refuses a session with a duplicate key, writes nothing',
    SESSION,
    sessionEdit('\nid: s1\n', '\nid: s1\nid: s2\n', 'yaml/duplicate-key', 'id: s2'),
    { argv: ['grade', 'c001', 'BC01', '--set', 'C3=A'] },
  ),
  {
    name: 'deliberation.yaml with a syntax error (validate)',
    area: 'session',
    project: true,
    async prepare(dir) {
      const file = 'sessions/s1/deliberation.yaml';
      await dir.write(file, 'session: s1\ncandidates:\n  c001: [unclosed\n');
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [{ ruleId: 'yaml/unclosed', file }],
      };
    },
  },
  {
    name: 'candidates import refuses a session holding an alias bomb, writes nothing',
    area: 'session',
    project: true,
    async prepare(dir) {
      const bomb = billionLaughs().text.replace(/^/gm, '    ').trimEnd();
      const next = replaceOnce(
        await dir.read(SESSION),
        '  name: "Centre',
        `  city:\n${bomb}\n  name: "Centre`,
      );
      await dir.write(SESSION, next);
      await dir.write('candidats.csv', CSV_HEADER + 'c101;Petit;Luc;BC01;\n');
      return {
        argv: ['candidates', 'import', 'candidats.csv'],
        code: 1,
        diagnostics: [{ file: SESSION, ...at('yaml/alias-limit', posOf(next, '*a')) }],
      };
    },
  },
];

// ── evaluation files ───────────────────────────────────────────────────────────────────────────

/** `text` with a trailing comment of French text that makes it exactly `bytes` bytes of UTF-8. */
function padToBytes(text: string, bytes: number): string {
  const head = `${text}# `;
  const room = bytes - Buffer.byteLength(head) - 1;
  const accents = 'é'.repeat(Math.floor(room / 2));
  return `${head}${accents}${'x'.repeat(room - 2 * accents.length)}\n`;
}

const grade = ['grade', 'c001', 'BC01', '--set', 'C3=A'] as const;

const evalEdit =
  (
    search: string,
    replacement: string,
    rule: string,
    needle: string,
    offset = 0,
    message?: RegExp,
  ) =>
  (text: string) => {
    const next = replaceOnce(text, search, replacement);
    return {
      text: next,
      diagnostics: [at(rule, right(posOf(next, needle), offset), message ? { message } : {})],
    };
  };

const evaluationCases: HostileCase[] = [
  fileCase(
    'evaluation',
    'a duplicate competency',
    EVALUATION,
    evalEdit(
      '  C1: acquis\n',
      '  C1: acquis\n  C1: non_acquis\n',
      'yaml/duplicate-key',
      '  C1: non_acquis',
      2,
    ),
  ),
  fileCase(
    'evaluation',
    'a __proto__ result (not an id), after the other results',
    EVALUATION,
    evalEdit(
      '    observation: trop court\n',
      '    observation: trop court\n  __proto__: acquis\n',
      'schema/format',
      '__proto__',
    ),
    {},
  ),
  fileCase(
    'evaluation',
    'a toString result',
    EVALUATION,
    evalEdit(
      '  C1: acquis\n',
      '  C1: acquis\n  toString: acquis\n',
      'evaluation/unknown-competency',
      'toString',
    ),
  ),
  fileCase(
    'evaluation',
    'a number as candidate',
    EVALUATION,
    evalEdit('candidate: c001', 'candidate: 1', 'schema/type', 'candidate: 1', 11),
  ),
  fileCase(
    'evaluation',
    'a verdict that is not acquis / non_acquis',
    EVALUATION,
    evalEdit('  C1: acquis', '  C1: acquise', 'schema/enum', '  C1: acquise', 6),
  ),
  fileCase(
    'evaluation',
    'a misspelt key (statut)',
    EVALUATION,
    evalEdit(
      'status: draft',
      'statut: draft',
      'schema/unknown-property',
      'statut',
      0,
      /« status »/,
    ),
  ),
  fileCase(
    'evaluation',
    'grade refuses a tab-indented evaluation, unchanged',
    EVALUATION,
    evalEdit('  C1: acquis', '\tC1: acquis', 'yaml/syntax', '\tC1'),
    { argv: grade },
  ),
  fileCase(
    'evaluation',
    'grade refuses an alias bomb in an observation, unchanged',
    EVALUATION,
    (text) => {
      const bomb = billionLaughs().text.replace(/^/gm, '    ').trimEnd();
      const next = replaceOnce(
        text,
        '    observation: trop court',
        `    observation: trop court\n    x:\n${bomb}`,
      );
      return { text: next, diagnostics: [at('yaml/alias-limit', posOf(next, '*a'))] };
    },
    { argv: grade },
  ),
  fileCase(
    'evaluation',
    'grade refuses a !!js/function observation, unchanged',
    EVALUATION,
    evalEdit(
      'observation: trop court',
      'observation: !!js/function "function () {}"',
      'yaml/tag',
      '!!js',
    ),
    { argv: grade },
  ),
  fileCase(
    'evaluation',
    'grade refuses invalid UTF-8, unchanged',
    EVALUATION,
    (text) => {
      const bytes = Buffer.from(text, 'utf8');
      bytes[bytes.indexOf('trop court')] = 0xc3;
      bytes[bytes.indexOf('trop court') + 1] = 0x28;
      return { text: bytes, diagnostics: [{ ruleId: 'yaml/encoding', line: 1, column: 1 }] };
    },
    { argv: grade },
  ),
  fileCase(
    'evaluation',
    'a quote never closed: placed on the quote, not at the end of the file',
    EVALUATION,
    evalEdit('bloc: BC01', 'bloc: "BC01', 'yaml/unclosed-quote', 'bloc: "', 6, /Guillemet « " »/),
  ),
  fileCase('evaluation', 'validate refuses invalid UTF-8 in an evaluation', EVALUATION, (text) => {
    const bytes = Buffer.from(text, 'utf8');
    bytes[bytes.indexOf('trop court')] = 0xff;
    return { text: bytes, diagnostics: [{ ruleId: 'yaml/encoding', line: 1, column: 1 }] };
  }),
  fileCase(
    'evaluation',
    'a U+FFFD character typed in an observation (legitimate)',
    EVALUATION,
    (text) => ({ text: replaceOnce(text, 'trop court', 'trop court \ufffd'), diagnostics: [] }),
  ),
  fileCase(
    'evaluation',
    'an evaluation of exactly 2 MiB, the size limit (legitimate)',
    EVALUATION,
    (text) => ({ text: padToBytes(text, MAX_FILE_BYTES), diagnostics: [] }),
  ),
  fileCase('evaluation', 'an evaluation one byte over the size limit', EVALUATION, (text) => ({
    text: padToBytes(text, MAX_FILE_BYTES + 1),
    diagnostics: [{ ruleId: 'file/too-large', line: 1, column: 1, message: /2097153 octets/ }],
  })),
  fileCase(
    'evaluation',
    'grade refuses a second --- document, unchanged',
    EVALUATION,
    (text) => {
      const next = `${text}---\nstatus: final\n`;
      return {
        text: next,
        diagnostics: [at('yaml/multiple-documents', posOf(next, '---\nstatus'))],
      };
    },
    { argv: grade },
  ),
  fileCase(
    'evaluation',
    'grade refuses git conflict markers, unchanged',
    EVALUATION,
    (text) => {
      const next = replaceOnce(
        text,
        '  C1: acquis\n',
        CONFLICT('  C1: acquis', '  C1: non_acquis'),
      );
      return { text: next, diagnostics: [at('yaml/syntax', posOf(next, '<<<<<<<'))] };
    },
    { argv: grade },
  ),
  fileCase(
    'evaluation',
    'grade refuses a %YAML 1.1 directive, unchanged',
    EVALUATION,
    (text) => ({
      text: `%YAML 1.1\n---\n${text.replace('  C1: acquis', '  C1: yes')}`,
      diagnostics: [{ ruleId: 'yaml/version', line: 1, column: 1 }],
    }),
    { argv: grade },
  ),
  fileCase(
    'evaluation',
    'grade keeps working on a CRLF evaluation',
    EVALUATION,
    (text) => ({ text: text.replace(/\n/g, '\r\n'), diagnostics: [] }),
    {
      argv: grade,
      mayChange: [EVALUATION],
      after: async (dir) => {
        const text = await dir.read(EVALUATION);
        if (!/C3: acquis/.test(text) || !/observation: trop court/.test(text))
          throw new Error(`grade on CRLF lost data:\n${text}`);
      },
    },
  ),
  fileCase(
    'evaluation',
    'grade keeps working on an evaluation with a BOM',
    EVALUATION,
    (text) => ({ text: '\uFEFF' + text, diagnostics: [] }),
    {
      argv: grade,
      mayChange: [EVALUATION],
      after: async (dir) => {
        const text = await dir.read(EVALUATION);
        if (!/C3: acquis/.test(text)) throw new Error(`grade on BOM lost data:\n${text}`);
      },
    },
  ),
  {
    name: 'the evaluation file is a folder (grade)',
    area: 'evaluation',
    project: true,
    async prepare(dir) {
      await dir.remove(EVALUATION);
      await dir.mkdir(EVALUATION);
      return {
        argv: grade,
        code: 1,
        diagnostics: [{ ruleId: 'file/not-a-file', file: EVALUATION, line: 1, column: 1 }],
      };
    },
  },
  {
    name: 'the evaluation file is a folder (validate)',
    area: 'evaluation',
    project: true,
    async prepare(dir) {
      await dir.remove(EVALUATION);
      await dir.mkdir(EVALUATION);
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [{ ruleId: 'file/not-a-file', file: EVALUATION, line: 1, column: 1 }],
      };
    },
  },
  fileCase(
    'evaluation',
    'an evaluation nested 10,000 deep, validated with the whole project',
    EVALUATION,
    () => {
      const { text, tooDeepAt } = deepYaml('map', 10_000);
      return { text, diagnostics: [at('yaml/too-deep', posAt(text, tooDeepAt))] };
    },
    { argv: ['validate', '--format', 'json'] },
  ),
  {
    name: 'an evaluation in a folder named c0<x> (a file name that is not an id)',
    area: 'evaluation',
    project: true,
    async prepare(dir) {
      const text = await dir.read(EVALUATION);
      const file = 'sessions/s1/evaluations/c0<x>/BC01.yaml';
      await dir.write(file, text);
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [
          { file, ...at('evaluation/path-mismatch', right(posOf(text, 'candidate: c001'), 11)) },
        ],
      };
    },
  },
  {
    name: 'a copy of an evaluation named "BC01 (copie).yaml"',
    area: 'evaluation',
    project: true,
    async prepare(dir) {
      const text = await dir.read(EVALUATION);
      const file = 'sessions/s1/evaluations/c001/BC01 (copie).yaml';
      await dir.write(file, text);
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [
          { file, ...at('evaluation/path-mismatch', right(posOf(text, 'bloc: BC01'), 6)) },
        ],
      };
    },
  },
  {
    name: 'grade with a bloc id of ../../../evil',
    area: 'evaluation',
    project: true,
    prepare: () =>
      Promise.resolve({
        argv: ['grade', 'c001', '../../../evil', '--set', 'C1=A'],
        code: 2,
        output: /Bloc inconnu : \.\.\/\.\.\/\.\.\/evil/,
      }),
  },
  {
    name: 'grade with a candidate id of ../../evil',
    area: 'evaluation',
    project: true,
    prepare: () =>
      Promise.resolve({
        argv: ['grade', '../../evil', 'BC01', '--set', 'C1=A'],
        code: 2,
        output: /Candidat inconnu : \.\.\/\.\.\/evil/,
      }),
  },
  {
    name: 'render sheet --out with a candidate id of ../../evil',
    area: 'evaluation',
    project: true,
    prepare: () =>
      Promise.resolve({
        argv: ['render', 'sheet', '../../evil', '--format', 'md', '--out', 'documents'],
        code: 2,
        output: /Candidat inconnu : \.\.\/\.\.\/evil/,
      }),
  },
  {
    name: 'grade with a competency id of ../../x',
    area: 'evaluation',
    project: true,
    prepare: () =>
      Promise.resolve({
        argv: ['grade', 'c001', 'BC01', '--set', '../../x=A'],
        code: 1,
        output: /« \.\.\/\.\.\/x » n’est pas une compétence de BC01/,
      }),
  },
];

// ── candidate CSV ──────────────────────────────────────────────────────────────────────────────

const rows = (n: number, from = 101) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`c${from + i};Nom${i};Prénom${i};BC01 BC02;`);
  return out.join('\n') + '\n';
};

/** After a legitimate import: session.yaml lists `count` candidates, `c101` among them. */
const imported =
  (count: number) =>
  async (dir: CaseDir): Promise<void> => {
    const text = await dir.read(SESSION);
    const ids = text.match(/^ {2}- id: c\d+$/gm) ?? [];
    if (ids.length !== count || !text.includes('  - id: c101\n'))
      throw new Error(`expected ${count} candidates with c101, found ${ids.length}`);
  };

// ── juror entries (blind double marking) ───────────────────────────────────────────────────────

const ENTRIES = 'sessions/s1/entries/c001/BC01';
const ENTRY = `${ENTRIES}/jdupont.yaml`;
const OTHER_ENTRY = `${ENTRIES}/pmartin.yaml`;

/**
 * The base project made blind (`double_marking: blind`, its draft evaluation removed), with
 * jdupont's c001 BC01 entry submitted and pmartin's in draft, both through `certif grade`.
 */
async function blindBase(dir: CaseDir): Promise<void> {
  await dir.write(
    SESSION,
    replaceOnce(await dir.read(SESSION), '\njuries:', '\ndouble_marking: blind\njuries:'),
  );
  await dir.remove('sessions/s1/evaluations');
  const sets = Array.from({ length: 15 }, (_, i) => `--set=C${i + 1}=${i === 1 ? 'NA' : 'A'}`);
  for (const argv of [
    ['--juror', 'jdupont', ...sets, '--observation=C2=Reformulation absente', '--submit'],
    ['--juror', 'pmartin', '--set', 'C1=A'],
  ]) {
    const r = await runInProcess(['grade', 'c001', 'BC01', ...argv], { cwd: dir.root });
    if (r.code !== 0) throw new Error(`blind base: grade failed\n${r.stderr}`);
  }
}

/** An entry case: corrupt `file` of the blind base with `edit`, then run `argv` (validate it). */
function entryCase(
  name: string,
  file: string,
  edit: (text: string) => { text: string; diagnostics: ExpectedDiagnostic[] },
  extra: Partial<Pick<HostileCase, 'bug' | 'heavy'>> & Partial<Prepared> = {},
): HostileCase {
  const { bug, heavy, ...prepared } = extra;
  return {
    name,
    area: 'entry',
    project: true,
    ...(bug ? { bug } : {}),
    ...(heavy ? { heavy } : {}),
    async prepare(dir) {
      await blindBase(dir);
      const { text, diagnostics } = edit(await dir.read(file));
      await dir.write(file, text);
      return {
        argv: ['validate', file, '--format', 'json'],
        code: diagnostics.length > 0 ? 1 : 0,
        diagnostics: diagnostics.map((d) => ({ file, ...d })),
        ...prepared,
      };
    },
  };
}

const entryEdit =
  (search: string, replacement: string, rule: string, needle: string, offset = 0) =>
  (text: string) => {
    const next = replaceOnce(text, search, replacement);
    return { text: next, diagnostics: [at(rule, right(posOf(next, needle), offset))] };
  };

/** jdupont's submitted C2 (Non acquis with its observation) turned into Acquis by hand. */
const tamper = (text: string) => {
  const next = text.replace(
    / {2}C2:\n {4}verdict: non_acquis\n {4}observation: .*\n/,
    '  C2: acquis\n',
  );
  if (next === text) throw new Error('tamper: the fixture drifted');
  return {
    text: next,
    diagnostics: [at('double-marking/entry-tampered', right(posOf(next, 'hash: '), 6))],
  };
};

/** A case that runs `argv` on the blind base after `setup`, expecting a refusal. */
function entryRun(
  name: string,
  setup: (dir: CaseDir) => Promise<ExpectedDiagnostic[]>,
  argv: readonly string[],
  expected: Partial<Prepared> = {},
): HostileCase {
  return {
    name,
    area: 'entry',
    project: true,
    async prepare(dir) {
      await blindBase(dir);
      const diagnostics = await setup(dir);
      return { argv, code: 1, diagnostics, ...expected };
    },
  };
}

const noSetup = () => Promise.resolve([]);

const entryCases: HostileCase[] = [
  entryCase(
    'juror: ../../x in an entry',
    ENTRY,
    entryEdit('juror: jdupont', 'juror: ../../x', 'schema/format', '../../x'),
  ),
  entryCase(
    'juror id with NUL in an entry',
    ENTRY,
    entryEdit('juror: jdupont', 'juror: "jd\\0upont"', 'schema/format', '"jd'),
  ),
  entryCase(
    'juror id with / in an entry',
    ENTRY,
    entryEdit('juror: jdupont', 'juror: jd/upont', 'schema/format', 'jd/upont'),
  ),
  entryRun(
    'grade --juror ../../x is refused, writes nothing',
    noSetup,
    ['grade', 'c001', 'BC01', '--juror', '../../x', '--set', 'C1=A'],
    { output: /ne siège pas au jury de BC01/ },
  ),
  entryRun(
    'grade --juror with a / is refused, writes nothing',
    noSetup,
    ['grade', 'c001', 'BC01', '--juror', 'jdupont/../pmartin', '--set', 'C1=A'],
    { output: /ne siège pas au jury de BC01/ },
  ),
  {
    name: 'an entry by a juror not on the bloc’s jury',
    area: 'entry',
    project: true,
    async prepare(dir) {
      await blindBase(dir);
      const file = `${ENTRIES}/lbernard.yaml`;
      const text =
        'candidate: c001\nbloc: BC01\njuror: lbernard\nstatus: draft\nresults:\n  C1: acquis\n';
      await dir.write(file, text);
      return {
        argv: ['validate', file, '--format', 'json'],
        code: 1,
        diagnostics: [
          { file, ...at('double-marking/juror-not-on-jury', posOf(text, 'lbernard\nstatus')) },
        ],
      };
    },
  },
  entryRun(
    'grade --juror for a juror not on the jury is refused, writes nothing',
    noSetup,
    ['grade', 'c001', 'BC01', '--juror', 'lbernard', '--set', 'C1=A'],
    { output: /« lbernard » ne siège pas au jury de BC01 \(jdupont, pmartin\)/ },
  ),
  entryCase('a submitted entry with a verdict edited by hand (wrong hash)', ENTRY, tamper),
  entryCase('a submitted entry with another hash', ENTRY, (text) => {
    const next = text.replace(/hash: sha256:[0-9a-f]{64}/, `hash: sha256:${'0'.repeat(64)}`);
    return {
      text: next,
      diagnostics: [at('double-marking/entry-tampered', right(posOf(next, 'hash: '), 6))],
    };
  }),
  entryRun(
    'grade --juror refuses to resume a tampered entry, writes nothing',
    async (dir) => {
      const { text, diagnostics } = tamper(await dir.read(ENTRY));
      await dir.write(ENTRY, text);
      return diagnostics.map((d) => ({ file: ENTRY, ...d }));
    },
    ['grade', 'c001', 'BC01', '--juror', 'jdupont', '--set', 'C1=A'],
  ),
  entryRun(
    'stats --agreement stops on a tampered entry (no figure from it)',
    async (dir) => {
      const { text, diagnostics } = tamper(await dir.read(ENTRY));
      await dir.write(ENTRY, text);
      return diagnostics.map((d) => ({ file: ENTRY, ...d }));
    },
    ['stats', '--agreement', '--format', 'json'],
    {
      check: (run) => {
        if (run.stdout !== '') throw new Error('figures printed');
      },
    },
  ),
  entryCase(
    'results with an unknown competency',
    OTHER_ENTRY,
    entryEdit(
      '  C1: acquis\n',
      '  C1: acquis\n  C99: acquis\n',
      'double-marking/unknown-competency',
      'C99',
    ),
  ),
  entryCase('status: submitted without submitted_at', ENTRY, (text) => {
    const next = text.replace(/submitted_at: .*\n/, '');
    return {
      text: next,
      diagnostics: [
        at('double-marking/unsigned-submitted', right(posOf(next, 'status: submitted'), 8)),
      ],
    };
  }),
  {
    name: 'a folder where an entry file is expected (validate)',
    area: 'entry',
    project: true,
    async prepare(dir) {
      await blindBase(dir);
      await dir.remove(OTHER_ENTRY);
      await dir.mkdir(OTHER_ENTRY);
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [{ ruleId: 'file/not-a-file', file: OTHER_ENTRY, line: 1, column: 1 }],
      };
    },
  },
  entryRun(
    'a folder where an entry file is expected (grade --juror)',
    async (dir) => {
      await dir.remove(OTHER_ENTRY);
      await dir.mkdir(OTHER_ENTRY);
      return [{ ruleId: 'file/not-a-file', file: OTHER_ENTRY, line: 1, column: 1 }];
    },
    ['grade', 'c001', 'BC01', '--juror', 'pmartin', '--set', 'C2=A'],
  ),
  entryRun(
    'a folder where an entry file is expected (stats --agreement)',
    async (dir) => {
      await dir.remove(OTHER_ENTRY);
      await dir.mkdir(OTHER_ENTRY);
      return [{ ruleId: 'file/not-a-file', file: OTHER_ENTRY, line: 1, column: 1 }];
    },
    ['stats', '--agreement'],
  ),
  {
    name: 'a YAML file at the wrong depth under entries/ is misplaced, not a référentiel',
    area: 'entry',
    project: true,
    async prepare(dir) {
      await blindBase(dir);
      const file = 'sessions/s1/entries/c001/notes.yaml';
      await dir.write(file, 'title: notes\n');
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [
          {
            ruleId: 'file/misplaced',
            file,
            line: 1,
            column: 1,
            message: /hors de sa place dans sessions\/s1\/entries\//,
          },
        ],
      };
    },
  },
];

const csvCases: HostileCase[] = [
  csvCase('mixed separators', CSV_HEADER + 'c101;Dupont;Ana;BC01;\nc102,Petit,Luc,BC01,\n', [
    { ruleId: 'csv/mixed-separators', line: 3, column: 1 },
  ]),
  csvCase(
    'a quote left open',
    CSV_HEADER +
      'c101;"Dupont;Ana;BC01;\nc102;Petit;Luc;BC01;\nc103;Petit;Luc;BC01;\nc104;Petit;Luc;BC01;\n',
    [{ ruleId: 'csv/syntax', line: 2 }],
  ),
  csvCase(
    'formula =HYPERLINK(…) (quoted as a spreadsheet exports it)',
    CSV_HEADER + 'c101;"=HYPERLINK(""http://x"")";Ana;BC01;\n',
    [{ ruleId: 'csv/formula', line: 2, column: 2, message: /« = »/ }],
  ),
  csvCase(
    'formula =HYPERLINK(…) (raw, unquoted)',
    CSV_HEADER + 'c101;=HYPERLINK("http://x");Ana;BC01;\n',
    [{ ruleId: 'csv/syntax', line: 2 }],
  ),
  csvCase('formula +cmd', CSV_HEADER + 'c101;Dupont;+cmd;BC01;\n', [
    { ruleId: 'csv/formula', line: 2, column: 3, message: /« \+ »/ },
  ]),
  csvCase('formula @SUM(A1) in a name', CSV_HEADER + 'c101;@SUM(A1);Ana;BC01;\n', [
    { ruleId: 'csv/formula', line: 2, column: 2, message: /« @ »/ },
  ]),
  csvCase(
    'formula @SUM(A1) in the blocs column',
    CSV_HEADER + 'c101;Dupont;Ana;@SUM(A1);\n',
    [{ ruleId: 'csv/formula', line: 2, column: 4 }],
    {},
  ),
  csvCase('formula -2+3+cmd (DDE)', CSV_HEADER + "c101;-2+3+cmd|' /C calc'!A0;Ana;BC01;\n", [
    { ruleId: 'csv/formula', line: 2, column: 2 },
  ]),
  csvCase('formula behind a tab', CSV_HEADER + 'c101;Dupont;\t=1+1;BC01;\n', [
    { ruleId: 'csv/formula', line: 2, column: 3 },
  ]),
  csvCase('an id with ../', CSV_HEADER + '../evil;Dupont;Ana;BC01;\n', [
    { ruleId: 'csv/bad-id', line: 2, column: 1 },
  ]),
  csvCase('an id with /', CSV_HEADER + 'a/b;Dupont;Ana;BC01;\n', [
    { ruleId: 'csv/bad-id', line: 2, column: 1 },
  ]),
  csvCase('an id with NUL', CSV_HEADER + 'c1\u00001;Dupont;Ana;BC01;\n', [
    { ruleId: 'csv/bad-id', line: 2, column: 1 },
  ]),
  csvCase('a bloc id with ../', CSV_HEADER + 'c101;Dupont;Ana;../BC01;\n', [
    { ruleId: 'csv/unknown-bloc', line: 2, column: 4 },
  ]),
  csvCase('10,000 rows (works, bounded time)', CSV_HEADER + rows(10_000), [], {
    heavy: true,
    mayChange: [SESSION],
    after: imported(10_002),
  }),
  csvCase(
    '10,000 rows, the last one bad',
    CSV_HEADER + rows(9_999) + 'c0/x;Dupont;Ana;BC01;\n',
    [{ ruleId: 'csv/bad-id', line: 10_001, column: 1 }],
    { heavy: true },
  ),
  csvCase('an empty file', '', [{ ruleId: 'csv/empty', line: 1, column: 1 }]),
  csvCase('a BOM (legitimate)', '\uFEFF' + CSV_HEADER + 'c101;Dupont;Ana;BC01;\n', [], {
    mayChange: [SESSION],
    after: imported(3),
  }),
  csvCase(
    'CRLF line ends (legitimate)',
    (CSV_HEADER + 'c101;Dupont;Ana;BC01;\n').replace(/\n/g, '\r\n'),
    [],
    { mayChange: [SESSION], after: imported(3) },
  ),
  csvCase(
    'CR-only line ends (legitimate)',
    (CSV_HEADER + 'c101;Dupont;Ana;BC01;\n').replace(/\n/g, '\r'),
    [],
    { mayChange: [SESSION], after: imported(3) },
  ),
  csvCase(
    'Latin-1 instead of UTF-8',
    Buffer.from(CSV_HEADER + 'c101;Lefèvre;Zoé;BC01;\n', 'latin1'),
    [{ ruleId: 'yaml/encoding', line: 1, column: 1 }],
  ),
  csvCase('a 5 MB file', CSV_HEADER + `c101;${'x'.repeat(5 * 1024 * 1024)};Ana;BC01;\n`, [
    { ruleId: 'file/too-large', line: 1, column: 1 },
  ]),
  {
    name: 'the CSV path is a folder',
    area: 'csv',
    project: true,
    async prepare(dir) {
      await dir.remove('candidats.csv');
      await dir.mkdir('candidats.csv');
      return {
        argv: ['candidates', 'import', 'candidats.csv'],
        code: 1,
        diagnostics: [{ ruleId: 'file/not-a-file', file: 'candidats.csv', line: 1, column: 1 }],
      };
    },
  },
  {
    name: 'certif validate x.csv reports a formula cell',
    area: 'csv',
    project: true,
    async prepare(dir) {
      await dir.write(
        'candidats.csv',
        CSV_HEADER + 'c101;Dupont;Ana;BC01;\nc102;Petit;"=1+1";BC01;\n',
      );
      return {
        argv: ['validate', 'candidats.csv', '--format', 'json'],
        code: 1,
        diagnostics: [{ ruleId: 'csv/formula', file: 'candidats.csv', line: 3, column: 3 }],
      };
    },
  },
  {
    name: 'certif validate x.csv accepts a sound file',
    area: 'csv',
    project: true,
    async prepare(dir) {
      await dir.write('candidats.csv', CSV_HEADER + 'c101;Dupont;Ana;BC01;\n');
      return { argv: ['validate', 'candidats.csv', '--format', 'json'], code: 0, diagnostics: [] };
    },
  },
];

// ── interoperability: the RNCP export reader, CASE, Open Badges and CSV exports ─────────────

/** The start of a France Compétences export, around one fiche's title. */
const rncpXml = (title: string, prolog = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${prolog}<FICHES><VERSION_FLUX>4.1</VERSION_FLUX>\n` +
  `<FICHE><NUMERO_FICHE>RNCP1</NUMERO_FICHE><INTITULE>${title}</INTITULE><ACTIF>Oui</ACTIF>` +
  `<BLOCS_COMPETENCES><BLOC_COMPETENCES><CODE>RNCP1BC01</CODE><LIBELLE>Bloc</LIBELLE>` +
  `<LISTE_COMPETENCES>- Accueillir</LISTE_COMPETENCES></BLOC_COMPETENCES></BLOCS_COMPETENCES>` +
  `</FICHE></FICHES>\n`;

/** Ten levels of ten: 10^9 "lol" if anything expanded them. */
const laughs =
  '<!DOCTYPE FICHES [\n  <!ENTITY lol0 "lol">\n' +
  Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">\n`).join(
    '',
  ) +
  ']>\n';

/** A formula a spreadsheet would run, as the wording of BC01.C1. */
const FORMULA = '=HYPERLINK("http://evil.example/?x";"Cliquez")';
const C1_LABEL =
  'label: "Prendre en charge en face à face ou à distance un client / un prospect afin d’effectuer l’étude préalable de la demande, du besoin client"';
const REF_WITH_FORMULA = replaceOnce(REF, C1_LABEL, `label: ${JSON.stringify(FORMULA)}`);

/** An `rncp` case: write `xml` as export.xml, run `argv`, expect a one-line refusal. */
function xmlCase(
  name: string,
  xml: string | Uint8Array,
  argv: readonly string[],
  expected: Partial<Prepared> & { code: number; output: RegExp },
): HostileCase {
  return {
    name,
    area: 'interop',
    async prepare(dir) {
      await dir.write('export.xml', xml);
      return { argv, ...expected };
    },
  };
}

const noOutput = (run: BinaryRun) => {
  if (run.stdout !== '') throw new Error(`expected nothing on stdout, got ${run.stdout}`);
};

const interopCases: HostileCase[] = [
  xmlCase(
    'RNCP export with a billion-laughs DOCTYPE (list)',
    rncpXml('&lol9;', laughs),
    ['rncp', 'list', 'export.xml'],
    {
      code: 1,
      output: /export\.xml:2:1 : déclaration DOCTYPE refusée/,
      check: (run) => {
        noOutput(run);
        if (run.stderr.includes('lollol')) throw new Error('an entity was expanded');
      },
    },
  ),
  {
    name: 'RNCP export whose DOCTYPE declares 50 MB of entities (refused at once)',
    area: 'interop',
    heavy: true,
    async prepare(dir) {
      const entity = (i: number) => `  <!ENTITY e${i} "${'x'.repeat(1000)}">\n`;
      const count = 50_000;
      const parts: string[] = ['<!DOCTYPE FICHES [\n'];
      for (let i = 0; i < count; i++) parts.push(entity(i));
      parts.push(']>\n');
      await dir.write('export.xml', rncpXml('&e1;', parts.join('')));
      return {
        argv: ['rncp', 'list', 'export.xml'],
        code: 1,
        output: /export\.xml:2:1 : déclaration DOCTYPE refusée/,
        cpuLimitMs: 3_000,
        check: noOutput,
      };
    },
  },
  xmlCase(
    'RNCP export with a billion-laughs DOCTYPE (import writes nothing)',
    rncpXml('&lol9;', laughs),
    ['rncp', 'import', 'export.xml', '--fiche', 'RNCP1'],
    { code: 1, output: /export\.xml:2:1 : déclaration DOCTYPE refusée/ },
  ),
  {
    name: 'RNCP export with an external entity (XXE) naming a local file',
    area: 'interop',
    async prepare(dir) {
      const secret = path.join(dir.outer, 'secret.txt');
      writeFileSync(secret, 'TOP-SECRET-42\n');
      await dir.write(
        'export.xml',
        rncpXml('&x;', `<!DOCTYPE FICHES [ <!ENTITY x SYSTEM "file://${secret}"> ]>\n`),
      );
      return {
        argv: ['rncp', 'import', 'export.xml', '--fiche', 'RNCP1', '--out', '-'],
        code: 1,
        output: /export\.xml:2:1 : déclaration DOCTYPE refusée/,
        check: (run) => {
          noOutput(run);
          if (run.stderr.includes('TOP-SECRET')) throw new Error('the local file was read');
        },
      };
    },
  },
  {
    name: 'RNCP export with an external entity to /etc/passwd (check)',
    area: 'interop',
    async prepare(dir) {
      await dir.write(REF_FILE, replaceOnce(REF, 'legal_basis:', 'rncp: RNCP1\nlegal_basis:'));
      await dir.write(
        'export.xml',
        rncpXml('&x;', '<!DOCTYPE FICHES [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n'),
      );
      return {
        argv: ['rncp', 'check', 'export.xml', REF_FILE],
        code: 1,
        output: /export\.xml:2:1 : déclaration DOCTYPE refusée/,
        check: (run) => {
          noOutput(run);
          if (/root:.*:0:0:/.test(run.stderr)) throw new Error('/etc/passwd was read');
        },
      };
    },
  },
  xmlCase(
    'RNCP export in Latin-1 without a declaration says where the first bad byte is',
    Buffer.from(rncpXml('Comptabilité'), 'latin1'),
    ['rncp', 'list', 'export.xml'],
    { code: 1, output: /export\.xml:3:63 : octets invalides en UTF-8/, check: noOutput },
  ),
  xmlCase(
    'RNCP export declared ISO-8859-1',
    Buffer.from(
      rncpXml('Comptabilité').replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
      'latin1',
    ),
    ['rncp', 'import', 'export.xml', '--fiche', 'RNCP1'],
    {
      code: 1,
      output:
        /export\.xml:1:1 : export encodé en ISO-8859-1, pas en UTF-8\.\n.*iconv -f ISO-8859-1/,
    },
  ),
  xmlCase('RNCP export of 0 bytes', '', ['rncp', 'list', 'export.xml'], {
    code: 1,
    output: /export\.xml:1:1 : fichier vide \(0 octet\)/,
    check: noOutput,
  }),
  xmlCase(
    'rncp import --fiche ../../evil',
    rncpXml('Titre'),
    ['rncp', 'import', 'export.xml', '--fiche', '../../evil'],
    { code: 2, output: /Numéro de fiche invalide : « \.\.\/\.\.\/evil »/ },
  ),
  xmlCase(
    'rncp import --id ../../evil',
    rncpXml('Titre'),
    ['rncp', 'import', 'export.xml', '--fiche', 'RNCP1', '--id', '../../evil'],
    { code: 2, output: /Identifiant invalide : « \.\.\/\.\.\/evil »/ },
  ),
  {
    name: 'a wording =HYPERLINK(…) exported as CSV is neutralised',
    area: 'interop',
    async prepare(dir) {
      await dir.write('referentials/relation-client.yaml', REF_WITH_FORMULA);
      await dir.write('c.csv', CSV_HEADER + 'c001;Durand;Léa;BC01;\n');
      for (const argv of [
        ['init', 'sessions/s1', '--referential', 'relation-client'],
        ['candidates', 'import', 'c.csv'],
      ]) {
        const r = await runInProcess(argv, { cwd: dir.root });
        if (r.code !== 0) throw new Error(`certif ${argv.join(' ')}: ${r.stderr}`);
      }
      return {
        argv: ['export', 'csv', '--by', 'competency', '--out', 'out.csv'],
        code: 0,
        output: /Délibération non close/,
        mayChange: ['out.csv'],
        after: async (d) => {
          const text = await d.read('out.csv');
          // RFC 4180: quotes doubled; the cell starts with ' so no spreadsheet runs it.
          const cell = `"'${FORMULA.replace(/"/g, '""')}"`;
          if (!text.includes(`;BC01.C1;${cell};`)) throw new Error(`not neutralised:\n${text}`);
        },
      };
    },
  },
  {
    name: 'a wording =HYPERLINK(…) exported as CASE JSON is kept verbatim, valid JSON',
    area: 'interop',
    async prepare(dir) {
      await dir.write(REF_FILE, REF_WITH_FORMULA);
      return {
        argv: ['export', 'case', REF_FILE, '--out', 'case.json'],
        code: 0,
        mayChange: ['case.json'],
        after: async (d) => {
          const pkg = JSON.parse(await d.read('case.json')) as {
            CFItems: { humanCodingScheme: string; fullStatement: string }[];
          };
          const c1 = pkg.CFItems.find((i) => i.humanCodingScheme === 'BC01.C1');
          if (c1?.fullStatement !== FORMULA) throw new Error(`changed: ${c1?.fullStatement}`);
        },
      };
    },
  },
  {
    name: 'export badges --out pointing at a file',
    area: 'interop',
    project: true,
    async prepare(dir) {
      await dir.write('badges.json', '{"keep": true}\n');
      return {
        argv: ['export', 'badges', '--out', 'badges.json'],
        code: 1,
        output: /Impossible d’écrire badges\.json : c’est un fichier, --out attend un dossier/,
      };
    },
  },
  {
    name: 'export case --out pointing at a folder',
    area: 'interop',
    async prepare(dir) {
      await dir.write(REF_FILE, REF);
      await dir.mkdir('case.json');
      return {
        argv: ['export', 'case', REF_FILE, '--out', 'case.json'],
        code: 1,
        output: /Impossible d’écrire case\.json/,
      };
    },
  },
];

// ── symbolic links ─────────────────────────────────────────────────────────────────────────────
// A link committed to a repository must not make certif write or read outside the project: every
// write below the project root refuses a path through a link, reads report `file/symlink`. The
// link targets sit in the case folder next to the project (`outer/`), which is snapshotted: a
// write through a link shows there as a changed path.

/** Replace `rel` (a project path) by a symbolic link to `outer/<name>`, made a folder if missing. */
async function linkOut(dir: CaseDir, rel: string, name: string, content?: string): Promise<string> {
  const target = path.join(dir.outer, name);
  if (content === undefined) await mkdir(target, { recursive: true });
  else await writeFile(target, content);
  await dir.remove(rel);
  await mkdir(path.dirname(path.join(dir.root, rel)), { recursive: true });
  await symlink(target, path.join(dir.root, rel));
  return target;
}

/** Move `rel` out of the project to `outer/<name>` and leave a link to it in its place. */
async function moveOut(dir: CaseDir, rel: string, name: string): Promise<void> {
  const target = path.join(dir.outer, name);
  await cp(path.join(dir.root, rel), target, { recursive: true });
  await dir.remove(rel);
  await symlink(target, path.join(dir.root, rel));
}

const refusedWrite = (file: string, link: string) =>
  new RegExp(
    `Écriture refusée : ${file} passe par le lien symbolique ${link} → \\S+, qui mène hors du projet\\. Rien n’a été écrit\\.\\n  → Remplacez ${link} par le vrai dossier ou fichier`,
  );

const symlink1 = (file: string, target: RegExp): ExpectedDiagnostic => ({
  file,
  ruleId: 'file/symlink',
  line: 1,
  column: 1,
  message: new RegExp(`^Lien symbolique ${file} → ${target.source}`),
});

const symlinkCases: HostileCase[] = [
  {
    name: 'grade through a candidate folder linked outside the project writes nothing',
    area: 'evaluation',
    project: true,
    async prepare(dir) {
      await linkOut(dir, 'sessions/s1/evaluations/c002', 'outside');
      return {
        argv: ['grade', 'c002', 'BC01', '--set', 'C1=A'],
        code: 1,
        output: refusedWrite(
          'sessions/s1/evaluations/c002/BC01.yaml',
          'sessions/s1/evaluations/c002',
        ),
      };
    },
  },
  {
    name: 'validate reports a candidate folder linked outside, does not walk it',
    area: 'evaluation',
    project: true,
    async prepare(dir) {
      // Broken YAML out there: reading through the link would report it.
      await linkOut(dir, 'sessions/s1/evaluations/c002', 'outside');
      await writeFile(path.join(dir.outer, 'outside', 'BC01.yaml'), 'candidate: [\n');
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [symlink1('sessions/s1/evaluations/c002', /\S+\/outside /)],
      };
    },
  },
  {
    name: 'an evaluation that is a link to /etc/passwd is reported, not read',
    area: 'evaluation',
    project: true,
    async prepare(dir) {
      await dir.remove(EVALUATION);
      await symlink('/etc/passwd', path.join(dir.root, EVALUATION));
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [symlink1(EVALUATION, /\/etc\/passwd /)],
        check(run) {
          if (/root:/.test(run.stdout + run.stderr)) throw new Error('read /etc/passwd');
        },
      };
    },
  },
  {
    name: 'status does not read an evaluation linked to a file outside',
    area: 'evaluation',
    project: true,
    async prepare(dir) {
      const text = await dir.read(EVALUATION);
      await linkOut(dir, EVALUATION, 'elsewhere.yaml', text);
      return {
        argv: ['status', '--format', 'json'],
        code: 1,
        check(run) {
          type Row = { candidate: string; bloc: string; state: string };
          const rows = (JSON.parse(run.stdout) as { evaluations: Row[] }).evaluations;
          const row = rows.find((u) => u.candidate === 'c001' && u.bloc === 'BC01');
          if (row?.state !== 'invalid') throw new Error(`c001 BC01: ${JSON.stringify(row)}`);
        },
      };
    },
  },
  {
    name: 'grade with a lock file linked outside writes nothing',
    area: 'evaluation',
    project: true,
    async prepare(dir) {
      await linkOut(dir, `${EVALUATION}.lock`, 'lock.json', '{"pid": 1, "host": "x", "who": "x"}');
      return {
        argv: ['grade', 'c001', 'BC01', '--set', 'C3=A'],
        code: 1,
        output: refusedWrite(
          EVALUATION.replace('BC01.yaml', 'BC01\\.yaml'),
          `${EVALUATION.replace('BC01.yaml', 'BC01\\.yaml')}\\.lock`,
        ),
      };
    },
  },
  {
    name: 'a session folder linked outside is not opened by grade',
    area: 'session',
    project: true,
    async prepare(dir) {
      await moveOut(dir, 'sessions/s1', 's1-real');
      return {
        argv: ['grade', 'c002', 'BC01', '--set', 'C1=A'],
        code: 1,
        diagnostics: [symlink1(SESSION, /\S+\/s1-real /)].map((d) => ({
          ...d,
          message: /^Lien symbolique sessions\/s1 → \S+\/s1-real/,
        })),
      };
    },
  },
  {
    name: 'candidates import into a session.yaml linked outside writes nothing',
    area: 'session',
    project: true,
    async prepare(dir) {
      // Not named session.yaml: outer/ would then be a session folder of its own.
      await linkOut(dir, SESSION, 'other-session.yaml', await dir.read(SESSION));
      await dir.write('new.csv', `${CSV_HEADER}c101;Nom;Prénom;BC01;\n`);
      return {
        argv: ['candidates', 'import', 'new.csv'],
        code: 1,
        diagnostics: [symlink1(SESSION, /\S+\/other-session\.yaml /)],
      };
    },
  },
  {
    name: 'init copying its référentiel into a referentials/ linked outside writes nothing',
    area: 'session',
    async prepare(dir) {
      await dir.mkdir('sessions');
      await linkOut(dir, 'referentials', 'refs');
      return {
        argv: ['init', 'sessions/s2', '--referential', 'relation-client'],
        code: 1,
        output: refusedWrite('referentials', 'referentials'),
      };
    },
  },
  {
    name: 'grade --juror through an entries folder linked outside writes nothing',
    area: 'entry',
    project: true,
    async prepare(dir) {
      await blindBase(dir);
      await moveOut(dir, 'sessions/s1/entries/c001', 'entries-c001');
      return {
        argv: ['grade', 'c001', 'BC01', '--juror', 'pmartin', '--set', 'C2=A'],
        code: 1,
        output: refusedWrite(`${ENTRIES}/pmartin.yaml`, 'sessions/s1/entries/c001'),
      };
    },
  },
  {
    name: 'validate reports an entries folder linked outside as a link, not as misplaced',
    area: 'entry',
    project: true,
    async prepare(dir) {
      await blindBase(dir);
      await moveOut(dir, 'sessions/s1/entries/c001', 'entries-c001');
      return {
        argv: ['validate', '--format', 'json'],
        code: 1,
        diagnostics: [symlink1('sessions/s1/entries/c001', /\S+\/entries-c001 /)],
      };
    },
  },
  {
    name: 'deliberate --accept with deliberation.yaml linked outside writes nothing',
    area: 'session',
    project: true,
    async prepare(dir) {
      const file = 'sessions/s1/deliberation.yaml';
      await linkOut(dir, file, 'deliberation.yaml', 'session: s1\ncandidates: {}\n');
      return {
        argv: ['deliberate', '--accept'],
        code: 1,
        output: refusedWrite(file.replace('.yaml', '\\.yaml'), file.replace('.yaml', '\\.yaml')),
      };
    },
  },
];

/** Every hostile case. */
export const hostileCases: readonly HostileCase[] = [
  ...referentialCases,
  ...sessionCases,
  ...evaluationCases,
  ...entryCases,
  ...csvCases,
  ...interopCases,
  ...symlinkCases,
];

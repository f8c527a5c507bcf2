/**
 * An edit of a YAML document keeps every comment and every other value: evaluation-like files
 * with comments everywhere, edited the way src/project/evaluation-store.ts `record()` edits them
 * (clone, `setKeepingComments(doc, ['results', id], …)`, results put back in référentiel order,
 * `documentText`), then, a few times, through `certif grade --set` on a real project.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { toResultValue, type Result, type ResultValue } from '../../src/model/session.js';
import type { Verdict } from '../../src/model/types.js';
import { documentText, setKeepingComments } from '../../src/source/edit.js';
import { parseYamlText, yamlOptions } from '../../src/source/parse.js';
import { runInProcess } from '../helpers/cli.js';
import { makeProject, type Project } from '../helpers/project.js';

/** BC01 of the bundled référentiel has 15 competencies, C1…C15. */
const IDS = Array.from({ length: 15 }, (_, i) => `C${i + 1}`);
const rank = new Map(IDS.map((id, i) => [id, i]));

/** Characters of comments and observations: YAML indicators, HTML, accents, quotes. */
const textChars = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789éèàçœ’«»-:#,[]{}&*!|>\'"%@`<>?=+~/\\.'.split(
    '',
  ),
);
const commentText = fc
  .string({ unit: textChars, maxLength: 30 })
  .map((s) => s.trimEnd().replace(/^\s+/, ''));
const optionalComment = fc.option(commentText, { nil: undefined, freq: 2 });

interface Entry {
  readonly id: string;
  readonly result: Result;
  /** A comment line just above the entry. */
  readonly before?: string | undefined;
  /** A comment at the end of the entry's first line. */
  readonly trailing?: string | undefined;
  /** For an entry with an observation: a comment at the end of its `verdict:` line. */
  readonly inner?: string | undefined;
}

interface Generated {
  readonly head?: string | undefined;
  readonly onCandidate?: string | undefined;
  readonly beforeResults?: string | undefined;
  readonly end?: string | undefined;
  readonly entries: readonly Entry[];
}

const result = (observations: fc.Arbitrary<string>): fc.Arbitrary<Result> =>
  fc
    .tuple(
      fc.constantFrom<Verdict>('acquis', 'non_acquis'),
      fc.option(observations, { nil: undefined }),
    )
    .map(([verdict, observation]) =>
      // An observation is required for non_acquis (the bundled référentiel's rule).
      verdict === 'non_acquis' || observation
        ? { verdict, observation: observation ?? 'à revoir' }
        : { verdict },
    );

const observation = fc
  .string({ unit: fc.oneof(textChars, fc.constant('\n')), minLength: 1, maxLength: 40 })
  .filter((s) => s.trim() !== '');

const generated = (observations: fc.Arbitrary<string>): fc.Arbitrary<Generated> =>
  fc.record({
    head: optionalComment,
    onCandidate: optionalComment,
    beforeResults: optionalComment,
    end: optionalComment,
    entries: fc.subarray(IDS, { minLength: 1 }).chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc.record({
            id: fc.constant(id),
            result: result(observations),
            before: optionalComment,
            trailing: optionalComment,
            inner: optionalComment,
          }),
        ),
      ),
    ),
  });

/** Every comment of a generated file gets a unique tag, so each can be found in the output. */
function commentsOf(g: Generated): { tag: string; text: string; entry?: string; slot: string }[] {
  const out: { tag: string; text: string; entry?: string; slot: string }[] = [];
  const add = (slot: string, text: string | undefined, entry?: string) => {
    if (text === undefined) return;
    const tag = `k${out.length}`;
    out.push({ tag, text: `${tag} ${text}`.trimEnd(), slot, ...(entry ? { entry } : {}) });
  };
  add('head', g.head);
  add('onCandidate', g.onCandidate);
  add('beforeResults', g.beforeResults);
  for (const e of g.entries) {
    add('before', e.before, e.id);
    add('trailing', e.trailing, e.id);
    if (e.result.observation) add('inner', e.inner, e.id);
  }
  add('end', g.end);
  return out;
}

/** The text of a generated file, comments in their places. */
function render(g: Generated): string {
  const comments = commentsOf(g);
  const c = (slot: string, entry?: string) =>
    comments.find((x) => x.slot === slot && x.entry === entry)?.text;
  const tail = (slot: string, entry?: string) => {
    const t = c(slot, entry);
    return t === undefined ? '' : ` #${t}`;
  };
  const lines: string[] = [
    '# yaml-language-server: $schema=../../../../schemas/evaluation.schema.json',
  ];
  const head = c('head');
  if (head !== undefined) lines.push(`#${head}`);
  lines.push(`candidate: c001${tail('onCandidate')}`);
  lines.push('bloc: BC01', 'session: s1', 'date: "2026-06-12"', 'jurors: [jdupont, pmartin]');
  lines.push('status: draft');
  const beforeResults = c('beforeResults');
  if (beforeResults !== undefined) lines.push(`#${beforeResults}`);
  lines.push('results:');
  for (const e of g.entries) {
    const before = c('before', e.id);
    if (before !== undefined) lines.push(`  #${before}`);
    if (e.result.observation === undefined) {
      lines.push(`  ${e.id}: ${e.result.verdict}${tail('trailing', e.id)}`);
    } else {
      lines.push(`  ${e.id}:${tail('trailing', e.id)}`);
      lines.push(`    verdict: ${e.result.verdict}${tail('inner', e.id)}`);
      lines.push(`    observation: ${JSON.stringify(e.result.observation)}`);
    }
  }
  const end = c('end');
  if (end !== undefined) lines.push(`#${end}`);
  return lines.join('\n') + '\n';
}

/** The edit of evaluation-store.ts `record()` on a clone, then results in référentiel order. */
function record(doc: Document, updates: Readonly<Record<string, Result>>): Document {
  const next = doc.clone();
  for (const [id, r] of Object.entries(updates)) {
    setKeepingComments(next, ['results', id], toResultValue(r));
  }
  const results = next.get('results', true);
  if (isMap(results)) {
    results.flow = false;
    const key = (p: unknown) => {
      const k = (p as { key?: unknown }).key;
      return rank.get(String(isScalar(k) ? k.value : k)) ?? Number.MAX_SAFE_INTEGER;
    };
    results.items.sort((a, b) => key(a) - key(b));
  }
  return next;
}

const edits = (observations: fc.Arbitrary<string>) =>
  fc.uniqueArray(fc.record({ id: fc.constantFrom(...IDS), result: result(observations) }), {
    minLength: 1,
    maxLength: 4,
    selector: (e) => e.id,
  });

interface Evaluationish {
  candidate: string;
  results: Record<string, ResultValue>;
  [key: string]: unknown;
}

/** What must hold after the edit: the comments kept, the other values untouched, the edits made. */
function checkEdit(
  g: Generated,
  output: string,
  updates: Readonly<Record<string, Result>>,
  keptSlots: (slot: string, edited: boolean) => boolean,
  exactEdits = true,
): void {
  const parsed = parseYamlText('out.yaml', output, 'fr');
  expect(parsed.diagnostics, output).toEqual([]);
  for (const comment of commentsOf(g)) {
    const edited = comment.entry !== undefined && comment.entry in updates;
    if (!keptSlots(comment.slot, edited)) continue;
    expect(
      output,
      `comment ${comment.slot} lost:\n${render(g)}\n--- after ---\n${output}`,
    ).toContain(`#${comment.text}`);
  }
  const value = parsed.source?.value as Evaluationish;
  expect(value.candidate).toBe('c001');
  expect(value.status).toBe('draft');
  expect(value.date).toBe('2026-06-12');
  expect(value.jurors).toEqual(['jdupont', 'pmartin']);
  const expectedIds = new Set([...g.entries.map((e) => e.id), ...Object.keys(updates)]);
  expect(Object.keys(value.results)).toEqual(IDS.filter((id) => expectedIds.has(id)));
  for (const e of g.entries) {
    if (e.id in updates) continue;
    expect(value.results[e.id], `untouched ${e.id}`).toEqual(toResultValue(e.result));
  }
  for (const [id, r] of Object.entries(updates)) {
    const got = value.results[id];
    if (exactEdits) expect(got).toEqual(toResultValue(r));
    else expect(typeof got === 'string' ? got : got?.verdict).toBe(r.verdict);
  }
}

/**
 * Comments that must survive: all, the end-of-line comment of an edited result included, except
 * those inside an edited `{ verdict, observation }` (the lines they were on are replaced).
 */
const kept = (slot: string, edited: boolean) => !edited || slot !== 'inner';

describe('YAML edits keep comments and untouched values (Document API, as evaluation-store)', () => {
  it('keeps every comment outside the edited results, every untouched value, and makes the edits', () => {
    fc.assert(
      fc.property(generated(observation), edits(observation), (g, list) => {
        const text = render(g);
        const doc = parseDocument(text, yamlOptions);
        expect(doc.errors).toEqual([]);
        const updates = Object.fromEntries(list.map((e) => [e.id, e.result]));
        checkEdit(g, documentText(record(doc, updates)), updates, kept);
      }),
      { numRuns: 200 },
    );
  });

  it('a second edit of the written text keeps them too (edits compose)', () => {
    fc.assert(
      fc.property(generated(observation), edits(observation), edits(observation), (g, a, b) => {
        const first = Object.fromEntries(a.map((e) => [e.id, e.result]));
        const second = Object.fromEntries(b.map((e) => [e.id, e.result]));
        const once = documentText(record(parseDocument(render(g), yamlOptions), first));
        const twice = documentText(record(parseDocument(once, yamlOptions), second));
        checkEdit(g, twice, { ...first, ...second }, kept);
      }),
      { numRuns: 100 },
    );
  });

  // Was a bug until setKeepingComments (src/source/edit.ts): `setIn` replaced the value node and
  // the end-of-line comment living on it (`C1: acquis # vérifié sur dossier`) was silently lost.
  it('keeps the end-of-line comment of a bare result graded again, whatever the new value', () => {
    const withTrailing = generated(observation).filter((g) =>
      g.entries.some((e) => e.trailing !== undefined && e.result.observation === undefined),
    );
    fc.assert(
      fc.property(withTrailing, (g) => {
        const target = g.entries.find((e) => e.trailing !== undefined && !e.result.observation);
        if (!target) return;
        const flipped: Verdict = target.result.verdict === 'acquis' ? 'non_acquis' : 'acquis';
        const updates = {
          [target.id]:
            flipped === 'non_acquis'
              ? { verdict: flipped, observation: 'x' }
              : { verdict: flipped },
        };
        const out = documentText(record(parseDocument(render(g), yamlOptions), updates));
        checkEdit(g, out, updates, () => true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('YAML edits through certif grade --set (a few runs on a real project)', () => {
  let project: Project;
  beforeAll(async () => {
    project = await makeProject();
  }, 60_000);
  afterAll(async () => {
    await project.cleanup();
  });

  /** Observations a juror types: no leading or trailing blanks, no newline. */
  const typed = fc
    .string({ unit: textChars, minLength: 1, maxLength: 30 })
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.includes('='));

  it('keeps comments and untouched results of the file it edits', async () => {
    const file = project.evaluationFile('c001', 'BC01');
    await mkdir(path.dirname(file), { recursive: true });
    await fc.assert(
      fc.asyncProperty(generated(typed), edits(typed), async (g, list) => {
        await writeFile(file, render(g));
        const argv = ['grade', 'c001', 'BC01'];
        for (const e of list) {
          argv.push('--set', `${e.id}=${e.result.verdict === 'acquis' ? 'A' : 'NA'}`);
          if (e.result.observation) argv.push('--observation', `${e.id}=${e.result.observation}`);
        }
        const run = await runInProcess(argv, { cwd: project.root });
        expect(run.code, run.stderr).toBe(0);
        const updates = Object.fromEntries(list.map((e) => [e.id, e.result]));
        checkEdit(g, await readFile(file, 'utf8'), updates, kept, false);
      }),
      { numRuns: 8 },
    );
  });
});

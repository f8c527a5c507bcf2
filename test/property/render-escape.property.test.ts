/**
 * Render never emits markup from user data. Each property renders the same documents twice: with
 * hostile user strings (`<`, `>`, `&`, `"`, `|`, newlines, Markdown links…) and with a "twin"
 * where every such character is replaced by a harmless one of the same length. Every `<` (HTML),
 * and every unescaped `<`, `|`, `[`… and line (Markdown) must then come from the templates: the
 * counts are equal in both renders.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isSeq, parse as parseYaml, parseDocument } from 'yaml';
import { propose } from '../../src/model/decide.js';
import {
  verdicts,
  type Candidate,
  type Evaluation,
  type Session,
} from '../../src/model/session.js';
import { gradedUnits, type Referential } from '../../src/model/types.js';
import type { CandidateRow } from '../../src/project/deliberation.js';
import type { SessionContext } from '../../src/project/session.js';
import { renderBody, renderDocument, type TextFormat } from '../../src/render/engine.js';
import { labels } from '../../src/render/labels.js';
import { attestationModel, gridModel, pvModel } from '../../src/render/view-models.js';
import type { SourceFile } from '../../src/source/parse.js';
import { repoRoot, runInProcess } from '../helpers/cli.js';
import { makeProject, type Project } from '../helpers/project.js';

// ── hostile strings and their twins ────────────────────────────────────────────────────────────

const payloads = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '|',
  '\n',
  '\r\n',
  '\r',
  '\u2028',
  '\\',
  '[',
  ']',
  '`',
  '*',
  '_',
  '#',
  '~',
  '=',
  '+',
  '-',
  '@',
  '1. ',
  '<script>alert(1)</script>',
  '<x-evil>',
  '</td></tr><tr><td>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '&lt;b&gt;',
  '{{t.acquis}}',
  ' | Acquis | ',
  '\n| forged | row |\n',
  '---',
  '<!--',
];

/** Non-empty hostile text: payloads mixed with ordinary and any-Unicode text. */
const hostile = fc
  .array(
    fc.oneof(
      { arbitrary: fc.constantFrom(...payloads), weight: 3 },
      { arbitrary: fc.string({ minLength: 1, maxLength: 6 }), weight: 2 },
      { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }), weight: 1 },
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''))
  .filter((s) => s.trim() !== '');

/**
 * The harmless twin: markup characters become `x`, line breaks become spaces (trimming, hence
 * what is shown or not, stays the same); the length is kept.
 */
const twin = (s: string): string =>
  s.replace(/[\r\n\u2028\u2029]/g, ' ').replace(/[<>&"'|\\[\]`*_#~=+\-@!{}]/g, 'x');

/** Count `c` where it is not escaped by a backslash (an even number of them before it). */
function unescapedCount(text: string, c: string): number {
  let n = 0;
  for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) {
    let backslashes = 0;
    for (let j = i - 1; j >= 0 && text[j] === '\\'; j--) backslashes += 1;
    if (backslashes % 2 === 0) n += 1;
  }
  return n;
}

const count = (text: string, c: string) => text.split(c).length - 1;

/** Handlebars' HTML escaping, to check that user text does reach the document. */
const hbEscape = (s: string) =>
  s
    .replace(/[&<>"'`=]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`)
    .replace(/&#x26;/g, '&amp;')
    .replace(/&#x3C;/g, '&lt;')
    .replace(/&#x3E;/g, '&gt;')
    .replace(/&#x22;/g, '&quot;');

/** The HTML of hostile data has exactly the markup of its twin's HTML. */
function checkHtml(hostileHtml: string, twinHtml: string): void {
  for (const c of ['<', '>', '"', "'"]) {
    expect(count(hostileHtml, c), `${c} in HTML`).toBe(count(twinHtml, c));
  }
  expect(hostileHtml).not.toMatch(/<(script|x-evil|img|!--)/i);
}

/** The Markdown of hostile data has exactly the structure of its twin's Markdown. */
function checkMarkdown(hostileMd: string, twinMd: string): void {
  for (const c of ['<', '>', '|', '[', ']', '`', '*', '_', '#', '~']) {
    expect(unescapedCount(hostileMd, c), `unescaped ${c} in Markdown`).toBe(
      unescapedCount(twinMd, c),
    );
  }
  const lines = (s: string) => s.split(/\r\n|\r|\n|\u2028|\u2029/).length;
  expect(lines(hostileMd), 'lines of Markdown').toBe(lines(twinMd));
  expect(hostileMd).not.toMatch(/(^|[^\\])\]\(javascript:/);
}

// ── view models built directly (grid, PV, attestation), référentiel text included ─────────────

const baseRef = parseYaml(
  readFileSync(path.join(repoRoot, 'referentials', 'relation-client.yaml'), 'utf8'),
) as Referential;

const FIELDS = [
  'family',
  'given',
  'accommodation',
  'juror',
  'organisation',
  'sessionTitle',
  'centre',
  'city',
  'obs1',
  'obs2',
  'reason',
  'refTitle',
  'rncp',
  'legal',
  'blocTitle',
  'activityTitle',
  'label',
  'threshold',
  'criterion',
  'modTitle',
  'modDesc',
  'place',
  'member',
] as const;
type UserText = Record<(typeof FIELDS)[number], string>;

const userText: fc.Arbitrary<UserText> = fc.record(
  Object.fromEntries(FIELDS.map((f) => [f, hostile])) as Record<keyof UserText, typeof hostile>,
);

const mapText = (u: UserText, f: (s: string) => string): UserText =>
  Object.fromEntries(Object.entries(u).map(([k, v]) => [k, f(v)])) as UserText;

interface World {
  readonly ctx: SessionContext;
  readonly candidate: Candidate;
  readonly evaluation: Evaluation;
  readonly row: CandidateRow;
  readonly closed: NonNullable<Parameters<typeof pvModel>[2]>;
}

function world(u: UserText): World {
  const [b1, ...otherBlocs] = baseRef.blocs;
  if (!b1) throw new Error('no bloc');
  const [a1, ...otherActivities] = b1.activities;
  if (!a1) throw new Error('no activity');
  const [c1, ...otherCompetencies] = a1.competencies;
  if (!c1) throw new Error('no competency');
  const ref: Referential = {
    ...baseRef,
    title: u.refTitle,
    rncp: u.rncp,
    legal_basis: u.legal,
    blocs: [
      {
        ...b1,
        title: u.blocTitle,
        activities: [
          {
            ...a1,
            title: u.activityTitle,
            competencies: [{ ...c1, label: u.label, threshold: u.threshold }, ...otherCompetencies],
          },
          ...otherActivities,
        ],
        evaluation: {
          modalities: [{ id: 'M1', title: u.modTitle, description: u.modDesc }],
          criteria: [{ id: 'K1', label: u.criterion }, ...b1.evaluation.criteria],
        },
      },
      ...otherBlocs,
    ],
  };
  const candidate: Candidate = {
    id: 'c001',
    family_name: u.family,
    given_name: u.given,
    blocs: ['BC01'],
    accommodations: [u.accommodation],
  };
  const session: Session = {
    id: 's1',
    title: u.sessionTitle,
    referential: { id: ref.id, version: ref.version, hash: `sha256:${'0'.repeat(64)}` },
    centre: { name: u.centre, city: u.city },
    dates: { start: '2026-06-12' },
    jurors: [
      { id: 'jdupont', name: u.juror, independent: true, organisation: u.organisation },
      { id: 'pmartin', name: 'Paul Martin', independent: false },
    ],
    juries: { BC01: ['jdupont', 'pmartin'] },
    candidates: [candidate],
  };
  const ctx: SessionContext = {
    dir: '/nowhere/sessions/s1',
    file: '/nowhere/sessions/s1/session.yaml',
    root: '/nowhere',
    session,
    source: undefined as unknown as SourceFile,
    ref,
    units: gradedUnits(ref),
    lang: 'fr',
    cwd: '/nowhere',
  };
  const evaluation: Evaluation = {
    candidate: 'c001',
    bloc: 'BC01',
    session: 's1',
    date: '2026-06-12',
    jurors: ['jdupont', 'pmartin'],
    status: 'final',
    results: {
      C1: { verdict: 'non_acquis', observation: u.obs1 },
      C2: 'acquis',
      C3: { verdict: 'acquis', observation: u.obs2 },
    },
    hash: `sha256:${'1'.repeat(64)}`,
    finalized: { by: ['jdupont', 'pmartin'], at: '2026-06-12T10:00:00Z' },
    amendments: [
      {
        competency: 'C2',
        from: 'non_acquis',
        to: 'acquis',
        by: 'jdupont',
        at: '2026-06-13T10:00:00Z',
        reason: u.reason,
        previous_hash: `sha256:${'2'.repeat(64)}`,
      },
    ],
  };
  const row: CandidateRow = {
    candidate,
    units: [
      {
        unit: 'BC01',
        evidence: { kind: 'final', valide: false },
        proposal: 'non_valide',
        decision: 'valide',
        reason: u.reason,
      },
    ],
    pending: false,
    decided: true,
    outcome: { outcome: 'validation_partielle', validated: ['BC01'] },
  };
  const closed = {
    date: '2026-06-20',
    place: u.place,
    members: [u.member, u.juror],
    digest: `sha256:${'3'.repeat(64)}`,
    evaluations: 1,
    at: '2026-06-20T18:00:00Z',
  };
  return { ctx, candidate, evaluation, row, closed };
}

/** Every document the builders make, in one format. */
function renderAll(u: UserText, format: TextFormat): string {
  const t = labels('fr');
  const w = world(u);
  const unit = w.ctx.units[0];
  if (!unit) throw new Error('no unit');
  // The proposal is computed as the commands do; it does not depend on user text.
  void propose(
    unit.activities.flatMap((a) => a.competencies.map((c) => c.id)),
    verdicts(w.evaluation.results),
    unit.validation,
  );
  const bodies = [
    renderBody(format, 'grid', t, gridModel(w.ctx, unit, w.candidate, w.evaluation, t)),
    renderBody(format, 'grid', t, gridModel(w.ctx, unit, undefined, undefined, t)),
    renderBody(format, 'pv', t, pvModel(w.ctx, [w.row], w.closed, t)),
    renderBody(format, 'attestation', t, attestationModel(w.ctx, w.row, w.closed, t)),
  ];
  return renderDocument(format, 'fr', `${u.refTitle} — ${u.family}`, bodies);
}

describe('render escapes user data (view models: grid, PV, attestation)', () => {
  it('HTML: every <, >, " and \' comes from the templates', () => {
    fc.assert(
      fc.property(userText, (u) => {
        const html = renderAll(u, 'html');
        checkHtml(html, renderAll(mapText(u, twin), 'html'));
        // Not vacuous: the user's text is there, escaped.
        expect(html).toContain(hbEscape(u.label));
        expect(html).toContain(hbEscape(u.obs1));
      }),
      { numRuns: 60 },
    );
  });

  it('Markdown: no unescaped <, |, [, `… and no extra line from user data', () => {
    fc.assert(
      fc.property(userText, (u) => {
        checkMarkdown(renderAll(u, 'md'), renderAll(mapText(u, twin), 'md'));
      }),
      { numRuns: 60 },
    );
  });
});

// ── the real commands on a generated project (sheet, grid, PV) ─────────────────────────────────

describe('render escapes user data (certif render on a generated project)', () => {
  let project: Project;
  let evaluationText: string;
  let sessionText: string;

  beforeAll(async () => {
    project = await makeProject();
    const graded = await runInProcess(
      ['grade', 'c001', 'BC01', '--set', 'C1=A', '--set', 'C2=NA', '--observation', 'C2=x'],
      { cwd: project.root },
    );
    if (graded.code !== 0) throw new Error(graded.stderr);
    sessionText = await readFile(project.sessionFile, 'utf8');
    evaluationText = await readFile(project.evaluationFile('c001', 'BC01'), 'utf8');
  }, 60_000);

  afterAll(async () => {
    await project.cleanup();
  });

  const projectText = fc.record({
    family: hostile,
    given: hostile,
    accommodation: hostile,
    juror: hostile,
    organisation: hostile,
    centre: hostile,
    city: hostile,
    obs: hostile,
  });
  type ProjectText = typeof projectText extends fc.Arbitrary<infer T> ? T : never;

  /** Write the hostile (or twin) text into session.yaml and the c001 BC01 evaluation. */
  async function write(p: ProjectText): Promise<void> {
    const s = parseDocument(sessionText);
    s.setIn(['candidates', 0, 'family_name'], p.family);
    s.setIn(['candidates', 0, 'given_name'], p.given);
    s.setIn(['candidates', 0, 'accommodations'], s.createNode([p.accommodation]));
    s.setIn(['jurors', 0, 'name'], p.juror);
    s.setIn(['jurors', 0, 'organisation'], p.organisation);
    s.setIn(['centre', 'name'], p.centre);
    s.setIn(['centre', 'city'], p.city);
    const jurors = s.get('jurors', true);
    if (!isSeq(jurors)) throw new Error('jurors');
    await writeFile(project.sessionFile, s.toString({ lineWidth: 0 }));
    const e = parseDocument(evaluationText);
    const results = e.get('results', true);
    if (!isMap(results)) throw new Error('results');
    e.setIn(['results', 'C2', 'observation'], p.obs);
    e.setIn(['results', 'C3'], e.createNode({ verdict: 'acquis', observation: p.obs }));
    const file = project.evaluationFile('c001', 'BC01');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, e.toString({ lineWidth: 0 }));
  }

  const commands: { argv: string[]; format: TextFormat }[] = [
    { argv: ['render', 'sheet', 'c001', '--format', 'html'], format: 'html' },
    { argv: ['render', 'sheet', 'c001', '--format', 'md'], format: 'md' },
    { argv: ['render', 'grid', 'BC01', '--candidate', 'c001', '--format', 'md'], format: 'md' },
    { argv: ['render', 'pv', '--format', 'html'], format: 'html' },
  ];

  async function renderProject(p: ProjectText): Promise<string[]> {
    await write(p);
    const out: string[] = [];
    for (const c of commands) {
      const r = await runInProcess(c.argv, { cwd: project.root });
      expect(r.code, `${c.argv.join(' ')}\n${r.stderr}`).toBe(0);
      out.push(r.stdout);
    }
    return out;
  }

  it('sheet, grid and PV: the hostile render has exactly the markup of its twin', async () => {
    await fc.assert(
      fc.asyncProperty(projectText, async (p) => {
        const hostileOut = await renderProject(p);
        const twinOut = await renderProject(
          Object.fromEntries(Object.entries(p).map(([k, v]) => [k, twin(v)])) as ProjectText,
        );
        // Not vacuous: the candidate's name is in the HTML sheet, escaped.
        expect(hostileOut[0]).toContain(hbEscape(`${p.family} ${p.given}`));
        commands.forEach((c, i) => {
          const h = hostileOut[i] ?? '';
          const t = twinOut[i] ?? '';
          if (c.format === 'html') checkHtml(h, t);
          else checkMarkdown(h, t);
        });
      }),
      { numRuns: 6 },
    );
  });
});

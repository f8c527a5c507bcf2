import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { isMap, isSeq, parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary, runInProcess, type RunResult } from './helpers/cli.js';
import { candidatesCsv, makeProject, type Project } from './helpers/project.js';

/**
 * `certif stats` on projects built with certif's own commands, with counts chosen by
 * construction: every figure below is counted by hand from the plan in the comments.
 */

const ids = (n: number, from = 1): string[] => Array.from({ length: n }, (_, i) => `C${i + from}`);
const BC01 = ids(15);
const BC02 = ids(20);
const BC03 = ids(14);
const PP = ['E1', 'E2'];
const NBSP = '\u00a0';

/** `--set` for every id, Non acquis (with an observation) for those in `na`. */
function sets(all: readonly string[], na: readonly string[] = []): string[] {
  return all.flatMap((id) =>
    na.includes(id)
      ? ['--set', `${id}=non_acquis`, '--observation', `${id}=Attendu non démontré.`]
      : ['--set', `${id}=acquis`],
  );
}

const JURIES = {
  BC01: ['jdupont', 'pmartin'],
  BC02: ['jdupont', 'pmartin'],
  BC03: ['jdupont', 'pmartin'],
  PP: ['jdupont', 'pmartin'],
};

async function run(cwd: string, ...argv: string[]): Promise<RunResult> {
  return runInProcess(argv, { cwd });
}

async function ok(cwd: string, ...argv: string[]): Promise<RunResult> {
  const r = await run(cwd, ...argv);
  if (r.code !== 0) throw new Error(`certif ${argv.join(' ')} exited ${r.code}\n${r.stderr}`);
  return r;
}

const finalize = ['--finalize', '--by', 'jdupont,pmartin'];

/*
 * Session 2025-06-rouen (10 June 2025), deliberation closed:
 *   a1 BC01 BC02 BC03 PP, all acquis                → titre obtenu
 *   a2 BC01 BC02 BC03 PP, BC02.C3 non acquis        → validation partielle
 *   a3 BC01, never graded                           → absent
 *   a4 BC01, C1…C11 non acquis                      → non validé
 * Session 2026-06-lyon (12 June 2026), not deliberated (provisional):
 *   b1 BC01 all acquis                              → validation partielle
 *   b2 BC01, C1 non acquis                          → non validé
 *   b3 BC01 in draft                                → pending
 */
let project: Project;
let root: string;

beforeAll(async () => {
  project = await makeProject({
    session: '2025-06-rouen',
    date: '2025-06-10',
    juries: JURIES,
    candidates: [
      { id: 'a1', familyName: 'Durand', givenName: 'Léa', blocs: ['BC01', 'BC02', 'BC03', 'PP'] },
      { id: 'a2', familyName: 'Nguyen', givenName: 'Minh', blocs: ['BC01', 'BC02', 'BC03', 'PP'] },
      { id: 'a3', familyName: 'Martin', givenName: 'Chloé', blocs: ['BC01'] },
      { id: 'a4', familyName: 'Benali', givenName: 'Yanis', blocs: ['BC01'] },
    ],
  });
  root = project.root;
  const s = ['--session', 'sessions/2025-06-rouen'];
  for (const c of ['a1', 'a2']) {
    await ok(root, 'grade', c, 'BC01', ...s, ...sets(BC01), ...finalize);
    await ok(root, 'grade', c, 'BC02', ...s, ...sets(BC02, c === 'a2' ? ['C3'] : []), ...finalize);
    await ok(root, 'grade', c, 'BC03', ...s, ...sets(BC03), ...finalize);
    await ok(root, 'grade', c, 'PP', ...s, ...sets(PP), ...finalize);
  }
  await ok(root, 'grade', 'a4', 'BC01', ...s, ...sets(BC01, ids(11)), ...finalize);
  await ok(root, 'deliberate', ...s, '--accept');
  await ok(
    root,
    'deliberate',
    ...s,
    '--close',
    '--members',
    'Marie Leroy, Jeanne Dupont',
    '--place',
    'Rouen',
    '--date',
    '2025-06-20',
  );

  // A second session, set up as makeProject does the first.
  await ok(
    root,
    'init',
    'sessions/2026-06-lyon',
    '--referential',
    'relation-client',
    '--date',
    '2026-06-12',
  );
  const file = path.join(root, 'sessions', '2026-06-lyon', 'session.yaml');
  const doc = parseDocument(await readFile(file, 'utf8'));
  doc.set(
    'jurors',
    doc.createNode([
      { id: 'jdupont', name: 'Jeanne Dupont', independent: true },
      { id: 'pmartin', name: 'Paul Martin', independent: false },
    ]),
  );
  const juries = doc.createNode(JURIES);
  if (isMap(juries)) for (const p of juries.items) if (isSeq(p.value)) p.value.flow = true;
  doc.set('juries', juries);
  await writeFile(file, doc.toString({ lineWidth: 0 }));
  await writeFile(
    path.join(root, 'lyon.csv'),
    candidatesCsv([
      { id: 'b1', familyName: 'Roux', givenName: 'Sophie', blocs: ['BC01'] },
      { id: 'b2', familyName: 'Petit', givenName: 'Louis', blocs: ['BC01'] },
      { id: 'b3', familyName: 'Moreau', givenName: 'Inès', blocs: ['BC01'] },
    ]),
  );
  const l = ['--session', 'sessions/2026-06-lyon'];
  await ok(root, 'candidates', 'import', 'lyon.csv', ...l);
  await ok(root, 'grade', 'b1', 'BC01', ...l, ...sets(BC01), ...finalize);
  await ok(root, 'grade', 'b2', 'BC01', ...l, ...sets(BC01, ['C1']), ...finalize);
  await ok(root, 'grade', 'b3', 'BC01', ...l, ...sets(BC01.slice(0, 5)));
  expect((await run(root, 'validate')).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await project?.cleanup();
});

interface Json {
  sessions: {
    id: string;
    closed: boolean;
    candidates: number;
    sat: number;
    outcomes: Record<string, number>;
    success: { count: number; of: number; rate: number | null };
  }[];
  years: { year: string; candidates: number; success: { count: number; of: number } }[];
  total: { candidates: number; sat: number; outcomes: Record<string, number>; success: unknown };
  referentials: {
    blocs: {
      id: string;
      valide: number;
      nonValide: number;
      absent: number;
      pending: number;
      success: unknown;
    }[];
    competencies: { unit: string; id: string; nonAcquis: { count: number; of: number } }[];
    hardest: { unit: string; id: string; nonAcquis: { count: number; of: number } }[];
  }[];
}

describe('certif stats: figures known by construction', () => {
  it('json: outcomes, success rates per session, year, bloc; hardest competencies', async () => {
    const r = await ok(root, 'stats', '--format', 'json');
    const j = JSON.parse(r.stdout) as Json;
    expect(j.sessions.map((s) => [s.id, s.closed, s.candidates, s.sat, s.outcomes])).toEqual([
      [
        '2025-06-rouen',
        true,
        4,
        3,
        { titre_obtenu: 1, validation_partielle: 1, non_valide: 1, absent: 1, pending: 0 },
      ],
      [
        '2026-06-lyon',
        false,
        3,
        2,
        { titre_obtenu: 0, validation_partielle: 1, non_valide: 1, absent: 0, pending: 1 },
      ],
    ]);
    expect(j.sessions[0]?.success).toEqual({ count: 1, of: 3, rate: 0.3333 });
    expect(j.sessions[1]?.success).toEqual({ count: 0, of: 2, rate: 0 });
    expect(j.years.map((y) => [y.year, y.candidates, y.success.count, y.success.of])).toEqual([
      ['2025', 4, 1, 3],
      ['2026', 3, 0, 2],
    ]);
    expect(j.total.candidates).toBe(7);
    expect(j.total.success).toEqual({ count: 1, of: 5, rate: 0.2 });
    const ref = j.referentials[0];
    expect(j.referentials).toHaveLength(1);
    expect(ref?.blocs.map((b) => [b.id, b.valide, b.nonValide, b.absent, b.pending])).toEqual([
      ['BC01', 3, 2, 1, 1],
      ['BC02', 1, 1, 0, 0],
      ['BC03', 2, 0, 0, 0],
      ['PP', 2, 0, 0, 0],
    ]);
    expect(ref?.blocs[0]?.success).toEqual({ count: 3, of: 5, rate: 0.6 });
    // Only final evaluations count: b3's draft is not there (5 BC01 evaluations, not 6).
    const c1 = ref?.competencies.find((c) => c.unit === 'BC01' && c.id === 'C1');
    expect(c1?.nonAcquis).toEqual({ count: 2, of: 5, rate: 0.4 });
    expect(
      ref?.hardest.map((c) => `${c.unit}.${c.id} ${c.nonAcquis.count}/${c.nonAcquis.of}`),
    ).toEqual([
      'BC02.C3 1/2',
      'BC01.C1 2/5',
      // Ties at 1/5 in référentiel order; C10 and C11 (also 1/5) fall beyond the ten.
      ...ids(8, 2).map((id) => `BC01.${id} 1/5`),
    ]);
  });

  it('md: the same figures with counts next to every percentage, provisional said', async () => {
    const r = await ok(root, 'stats');
    const md = r.stdout;
    expect(r.stderr).toBe('');
    expect(md).toContain(
      `| 2025-06-rouen | 10 juin 2025 | close le 20 juin 2025 | 4 | 1 | 1 | 1 | 1 | 0 | 33${NBSP}% (1/3) |`,
    );
    expect(md).toContain(
      `| 2026-06-lyon | 12 juin 2026 | **non close : chiffres provisoires** | 3 | 0 | 1 | 1 | 0 | 1 | 0${NBSP}% (0/2) |`,
    );
    expect(md).toContain(
      `| **Toutes sessions** | 2 | 7 | 1 | 2 | 2 | 1 | 1 | **20${NBSP}% (1/5)** |`,
    );
    expect(md).toMatch(
      new RegExp(`\\| BC01 \\| [^|]+ \\| 3 \\| 2 \\| 1 \\| 1 \\| 60${NBSP}% \\(3/5\\) \\|`),
    );
    expect(md).toMatch(/\| 1 \| BC02\.C3 \| [^|]+ \| 50\u00a0% \(1\/2\) \|/);
    expect(md).toMatch(/\| 10 \| BC01\.C9 \| [^|]+ \| 20\u00a0% \(1\/5\) \|/);
    expect(md).not.toMatch(/\| 11 \|/);
    expect(md).toContain(
      'Taux de réussite (titre) = candidats ayant obtenu le titre / candidats présentés',
    );
    // Nothing personal in statistics.
    for (const name of ['Durand', 'Nguyen', 'Benali', 'Roux']) expect(md).not.toContain(name);
  });

  it('the built binary prints the same figures as the in-process run', async () => {
    for (const argv of [
      ['stats', '--format', 'json'],
      ['stats', '--qualiopi'],
    ]) {
      const bin = await runBinary(argv, { cwd: root });
      const mem = await ok(root, ...argv);
      expect(bin.code).toBe(0);
      expect(bin.stdout).toBe(mem.stdout);
      expect(bin.stderr).toBe(mem.stderr);
    }
  });

  it('one session by id; English with --lang en', async () => {
    const r = await ok(root, 'stats', '2026-06-lyon', '--lang', 'en');
    expect(r.stdout).toContain('# Session statistics');
    expect(r.stdout).toContain(
      '| 2026-06-lyon | 12 June 2026 | **not closed: provisional figures** | 3 |',
    );
    expect(r.stdout).not.toContain('2025-06-rouen');
    expect(r.stdout).toContain('0% (0/2)');
  });

  it('--qualiopi: closed deliberations only, period, counts, no names', async () => {
    const r = await ok(root, 'stats', '--qualiopi');
    expect(r.stderr).toContain('session 2026-06-lyon écartée : délibération non close');
    expect(r.stdout).toContain('| Période | 10 juin 2025 |');
    expect(r.stdout).toContain('| Candidats inscrits | 4 |');
    expect(r.stdout).toContain('| Candidats présentés | 3 |');
    expect(r.stdout).toContain(`| **Taux de réussite (titre)** | **33${NBSP}% (1/3)** |`);
    expect(r.stdout).toMatch(new RegExp(`\\| BC01 \\| [^|]+ \\| 3 \\| 67${NBSP}% \\(2/3\\) \\|`));
    for (const name of ['Durand', 'Nguyen', 'Martin', 'Benali', 'a1', 'a4']) {
      expect(r.stdout).not.toContain(name);
    }
    const j = JSON.parse((await ok(root, 'stats', '--qualiopi', '--format', 'json')).stdout) as {
      period: { first: string; last: string };
      success: unknown;
    };
    expect(j.period).toMatchObject({ first: '2025-06-10', last: '2025-06-10' });
    expect(j.success).toEqual({ count: 1, of: 3, rate: 0.3333 });
  });

  it('--qualiopi with no closed deliberation: exit 1 and what to do', async () => {
    const r = await run(root, 'stats', '2026-06-lyon', '--qualiopi');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Aucune délibération close');
    expect(r.stderr).toContain('certif deliberate --close');
  });

  it('an unknown session is a usage error (exit 2)', async () => {
    const r = await run(root, 'stats', 'nowhere');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Session introuvable : nowhere');
  });

  it('an evaluation edited by hand stops the figures (exit 1, file named)', async () => {
    const file = project.evaluationFile('a1', 'BC01');
    const before = await readFile(file, 'utf8');
    try {
      await writeFile(file, before.replace(/C1: acquis/, 'C1: non_acquis'));
      const r = await run(root, 'stats');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('evaluations/a1/BC01.yaml');
    } finally {
      await writeFile(file, before);
    }
  });

  it('--out writes the file atomically and says where', async () => {
    const r = await ok(root, 'stats', '--format', 'html', '--out', 'stats.html');
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('stats.html');
    expect(await project.read('stats.html')).toMatch(/^<!DOCTYPE html>/);
  });
});

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('certif stats --format html in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('standalone: no request, one bar per bloc, SVG titled, no overflow at A4; screenshot', async () => {
    const html = (await ok(root, 'stats', '--format', 'html')).stdout;
    // The CSP would block a stray asset silently: none must be asked for in the first place.
    expect(html).not.toMatch(/\b(src|href|url)\s*[=(]/i);
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (req) => {
      if (!/^(about|data):/.test(req.url())) requests.push(req.url());
    });
    try {
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 794, height: 1123 });
      await page.setContent(html, { waitUntil: 'load' });
      const m = await page.evaluate<{
        blocBars: number;
        blocRows: number;
        svgs: number;
        titles: string[];
        scrollWidth: number;
        clientWidth: number;
        hardestBars: number;
        blocWidths: string[];
        blocTexts: string[];
      }>(`(() => ({
        blocWidths: [...document.querySelectorAll('svg.chart-blocs rect.bar')].map((r) => r.getAttribute('width')),
        blocTexts: [...document.querySelectorAll('svg.chart-blocs text')].map((t) => t.textContent),
        blocBars: document.querySelectorAll('svg.chart-blocs rect.bar').length,
        blocRows: document.querySelectorAll('table.stats-blocs tbody tr').length,
        hardestBars: document.querySelectorAll('svg.chart-hardest rect.bar').length,
        svgs: document.querySelectorAll('svg').length,
        titles: [...document.querySelectorAll('svg > title')].map((t) => t.textContent),
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }))()`);
      expect(requests).toEqual([]);
      expect(m.svgs).toBe(2);
      expect(m.blocBars).toBe(4);
      expect(m.blocRows).toBe(4);
      expect(m.hardestBars).toBe(10);
      expect(m.titles).toEqual([
        'Taux de validation par bloc',
        'Part de Non acquis, compétences les plus difficiles',
      ]);
      // Bars to scale (340 units = 100 %), each with its label and value in text.
      expect(m.blocWidths).toEqual(['204', '170', '340', '340']);
      expect(m.blocTexts).toContain(`60${NBSP}% (3/5)`);
      expect(m.blocTexts.some((t) => t.startsWith('BC02 — '))).toBe(true);
      expect(m.scrollWidth).toBeLessThanOrEqual(m.clientWidth);
      // The content box of A4 inside the 12 mm margins: 186 mm = 703 px.
      await page.setViewportSize({ width: 703, height: 1123 });
      const narrow = await page.evaluate<{ over: boolean; cells: string[] }>(`(() => ({
        over: document.documentElement.scrollWidth > document.documentElement.clientWidth,
        cells: [...document.querySelectorAll('td, th')]
          .filter((c) => c.scrollWidth > c.clientWidth + 1)
          .map((c) => c.textContent),
      }))()`);
      expect(narrow).toEqual({ over: false, cells: [] });
      await page.setViewportSize({ width: 794, height: 1123 });
      const shots = '/tmp/certif-shots';
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, 'stats.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 60_000);

  it('the Qualiopi page: one bar per bloc, names nowhere, nothing overflows at 703 px', async () => {
    const html = (await ok(root, 'stats', '--qualiopi', '--format', 'html')).stdout;
    expect(html).not.toMatch(/\b(src|href|url)\s*[=(]/i);
    const page = await browser.newPage();
    try {
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 703, height: 1123 });
      await page.setContent(html, { waitUntil: 'load' });
      const m = await page.evaluate<{ bars: number; over: boolean; text: string }>(`(() => ({
        bars: document.querySelectorAll('svg.chart-blocs rect.bar').length,
        over: document.documentElement.scrollWidth > document.documentElement.clientWidth,
        text: document.body.innerText,
      }))()`);
      expect(m.bars).toBe(4);
      expect(m.over).toBe(false);
      expect(m.text).toContain(`33${NBSP}% (1/3)`);
      for (const name of ['Durand', 'Nguyen', 'Martin', 'Benali'])
        expect(m.text).not.toContain(name);
      await mkdir('/tmp/certif-shots', { recursive: true });
      await page.screenshot({ path: '/tmp/certif-shots/stats-qualiopi.png', fullPage: true });
    } finally {
      await page.close();
    }
  }, 60_000);
});

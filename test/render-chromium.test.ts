import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, type RunResult } from './helpers/cli.js';
import { makeProject, type Project, type ProjectCandidate } from './helpers/project.js';

/**
 * The documents in a real headless Chromium: PDF pages, print layout, escaping of hostile names
 * and observations, and screenshots for a person to look at (saved under <tmp>/certif-shots/).
 */

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `render-chromium.test.ts skipped: ${CHROMIUM} is missing (Debian/Ubuntu: apt-get install chromium).`,
  );
}

/** A4 at 96 dpi: 210 mm wide; the content box inside @page margins of 12 mm each side: 186 mm. */
const A4_PX = 794;
const CONTENT_PX = Math.floor((186 / 25.4) * 96); // 703

const XSS_NAME = '<img src=x onerror=alert(1)>';
const XSS_OBS = '<script>alert(1)</script>';
const PIPE_NAME = 'Durand | Acquis';

const candidates: ProjectCandidate[] = [
  {
    id: 'c001',
    familyName: 'Durand',
    givenName: 'Léa',
    blocs: ['BC01', 'BC02'],
    accommodations: ['Tiers-temps', 'Salle accessible en rez-de-chaussée'],
  },
  { id: 'c002', familyName: XSS_NAME, givenName: 'Eve', blocs: ['BC01'] },
  { id: 'c003', familyName: PIPE_NAME, givenName: 'Jean', blocs: ['BC01'] },
];

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `C${i + 1}`);
const sets = (all: readonly string[], na: readonly string[] = []): string[] =>
  all.flatMap((id) => ['--set', `${id}=${na.includes(id) ? 'non_acquis' : 'acquis'}`]);

let project: Project;
let browser: Browser;
let outDir: string;

async function certif(...argv: string[]): Promise<RunResult> {
  const r = await runInProcess(argv, { cwd: project.root });
  if (r.code !== 0) {
    throw new Error(`certif ${argv.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

const renders = new Map<string, Promise<string>>();

/** A document rendered once (in-process) and reused by every test that looks at it. */
function render(format: 'html' | 'md', argv: readonly string[]): Promise<string> {
  const key = [format, ...argv].join(' ');
  let text = renders.get(key);
  if (!text) {
    text = certif('render', ...argv, '--format', format).then((r) => r.stdout);
    renders.set(key, text);
  }
  return text;
}
const html = (...argv: string[]): Promise<string> => render('html', argv);
const md = (...argv: string[]): Promise<string> => render('md', argv);

/** One page in print media, reused (a new page costs ~0.3 s): resized, then given the HTML. */
let printing: Page | undefined;
async function printPage(width: number, source: string): Promise<Page> {
  printing ??= await browser.newPage();
  await printing.emulateMedia({ media: 'print' });
  await printing.setViewportSize({ width, height: 1123 });
  await printing.setContent(source, { waitUntil: 'load' });
  return printing;
}

/** `/Type /Page` objects (not `/Pages`) and every MediaBox of a PDF produced by Chromium. */
function pdfPages(bytes: Buffer): { pages: number; boxes: number[][] } {
  const text = bytes.toString('latin1');
  const pages = [...text.matchAll(/\/Type\s*\/Page(?![A-Za-z])/g)].length;
  const boxes = [...text.matchAll(/\/MediaBox\s*\[([^\]]*)\]/g)].map((m) =>
    (m[1] ?? '').trim().split(/\s+/).map(Number),
  );
  return { pages, boxes };
}

/**
 * Code run inside the page. Strings, not functions: the project's TypeScript has no DOM library,
 * and these few lines are the only browser code of the suite.
 */
/**
 * A browser script: the words of the cells matched by `selector` wider than their cell. This is
 * the print layout of the page, not the PDF: the PV's "antérieurement" fitted here at 10 pt and
 * still broke in the PDF (seen with pdftotext), hence the PV's 9 pt in print.css.
 */
function brokenWordsIn(selector: string): string {
  return `(() => {
    const out = new Set();
    for (const cell of document.querySelectorAll(${JSON.stringify(selector)})) {
      const style = getComputedStyle(cell);
      const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      for (const word of (cell.innerText || '').split(/\\s+/).filter(Boolean)) {
        const probe = document.createElement('span');
        probe.style.whiteSpace = 'nowrap';
        probe.textContent = word;
        cell.appendChild(probe);
        if (probe.getBoundingClientRect().width > room + 0.5) out.add(word);
        probe.remove();
      }
    }
    return [...out];
  })()`;
}

const BROWSER = {
  /** Widths against the viewport, and table cells whose content is wider than the cell. */
  layout: `(() => {
    const right = (e) => e.getBoundingClientRect().right;
    return {
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      tables: [...document.querySelectorAll('table')].map(right),
      maxRight: Math.max(...[...document.querySelectorAll('body *')].map(right)),
      overflowingCells: [...document.querySelectorAll('td, th')]
        .filter((c) => c.scrollWidth > c.clientWidth + 1)
        .map((c) => c.textContent),
    };
  })()`,
  /** Words of grid header cells wider than the cell's content box (so broken inside). */
  brokenWords: brokenWordsIn('table.grid th'),
  /** The same for every cell of the grid tables: headers, verdicts, PV decisions. */
  brokenWordsInCells: brokenWordsIn('table.grid th, table.grid td'),
  /** Room left of the criteria list, and the width of its widest number ("11. "). */
  criteriaMarker: `(() => {
    const ol = document.querySelector('ol.criteria');
    if (!ol || !ol.firstElementChild) return { room: -1, marker: 0 };
    const probe = document.createElement('span');
    probe.style.whiteSpace = 'pre';
    probe.textContent = ol.children.length + '. ';
    ol.firstElementChild.appendChild(probe);
    const marker = probe.getBoundingClientRect().width;
    probe.remove();
    // The marker is drawn in the list's padding (or, failing that, in its margin).
    return { room: ol.getBoundingClientRect().left + parseFloat(getComputedStyle(ol).paddingLeft), marker };
  })()`,
  headingBreakAfter: `(() => {
    const h2 = document.querySelector('h2');
    return h2 ? getComputedStyle(h2).breakAfter : 'missing';
  })()`,
  /** What injected markup would have created, and the text a reader sees. */
  injected: `({
    imgs: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('script').length,
    handlers: document.querySelectorAll('[onerror], [onload]').length,
    text: document.body.innerText,
  })`,
};

interface LayoutMetrics {
  scrollWidth: number;
  clientWidth: number;
  tables: number[];
  maxRight: number;
  overflowingCells: string[];
}

interface InjectedMetrics {
  imgs: number;
  scripts: number;
  handlers: number;
  text: string;
}

describe.skipIf(!hasChromium)('documents in headless Chromium', () => {
  beforeAll(async () => {
    project = await makeProject({
      session: 's1',
      jurors: [
        { id: 'jdupont', name: 'Jeanne Dupont', independent: true },
        { id: 'pmartin', name: 'Paul Martin', independent: false },
        { id: 'sroux', name: 'Sophie Roux', independent: true },
      ],
      juries: { BC01: ['jdupont', 'pmartin'], BC02: ['sroux', 'pmartin'] },
      candidates,
    });
    outDir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-pdf-')));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    await certif(
      'grade',
      'c001',
      'BC01',
      ...sets(ids(15)),
      '--finalize',
      '--by',
      'jdupont,pmartin',
    );
    await certif(
      'grade',
      'c001',
      'BC02',
      ...sets(ids(20), ['C3', 'C14']),
      '--observation',
      'C3=La reformulation du besoin reste incomplète ; le questionnement ne fait pas émerger les attentes du client.',
      '--observation',
      'C14=Les indicateurs proposés ne sont pas reliés aux objectifs du service.',
      '--finalize',
      '--by',
      'sroux,pmartin',
    );
    await certif(
      'grade',
      'c002',
      'BC01',
      ...sets(ids(15), ['C2']),
      '--observation',
      `C2=${XSS_OBS}`,
      '--finalize',
      '--by',
      'jdupont,pmartin',
    );
    await certif(
      'grade',
      'c003',
      'BC01',
      ...sets(ids(15)),
      '--finalize',
      '--by',
      'jdupont,pmartin',
    );
    await certif('deliberate', '--accept');
  }, 60_000);

  afterAll(async () => {
    await printing?.close();
    await browser?.close();
    await project?.cleanup();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  describe('PDF of the BC02 grid (20 competencies)', () => {
    it.each([
      ['for a candidate', ['--candidate', 'c001'], 'grille-BC02-c001.pdf', 4],
      ['blank', [], 'grille-BC02.pdf', 4],
    ] as const)('%s: A4 pages, as many as observed', async (_, extra, file, expected) => {
      const r = await certif(
        'render',
        'grid',
        'BC02',
        ...extra,
        '--format',
        'pdf',
        '--out',
        outDir,
        '--chromium',
        CHROMIUM,
      );
      expect(r.stderr).toContain(file);
      const bytes = await readFile(path.join(outDir, file));
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const { pages, boxes } = pdfPages(bytes);
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(pages).toBe(expected);
      expect(boxes).toHaveLength(pages);
      // A4 is 595.28 × 841.89 pt; Chromium writes 594.96 × 841.92 (whole CSS pixels).
      for (const [x0, y0, w, h] of boxes) {
        expect([x0, y0]).toEqual([0, 0]);
        expect(Math.abs((w ?? 0) - 595.28)).toBeLessThan(1);
        expect(Math.abs((h ?? 0) - 841.89)).toBeLessThan(1);
      }
    });
  });

  describe('print layout fits the page width', () => {
    const docs = [
      ['grid BC02 for a candidate', ['grid', 'BC02', '--candidate', 'c001']],
      ['blank grid BC02', ['grid', 'BC02']],
      ['sheet', ['sheet', 'c001']],
      ['PV', ['pv']],
    ] as const;

    it.each(
      docs.flatMap(([name, argv]) => [A4_PX, CONTENT_PX].map((w) => [name, w, argv] as const)),
    )('%s at %ipx: nothing overflows, no table wider than the page', async (_, width, argv) => {
      const page = await printPage(width, await html(...argv));
      const m = await page.evaluate<LayoutMetrics>(BROWSER.layout);
      expect(m.scrollWidth).toBeLessThanOrEqual(m.clientWidth);
      expect(m.tables.length).toBeGreaterThan(0);
      for (const right of m.tables) expect(right).toBeLessThanOrEqual(width);
      expect(m.maxRight).toBeLessThanOrEqual(width);
      expect(m.overflowingCells).toEqual([]);
    });

    // print.css gives the address column 15 mm and the Acquis / Non acquis columns 16 mm, and
    // breaks words anywhere (overflow-wrap: anywhere; word-break: break-word): in print the
    // headers read "Comp/étenc/e", "Acqui/s", "Non/acqui/s" and the addresses "BC02./C1".
    it('grid headers and competency addresses are not broken inside a word', async () => {
      const page = await printPage(CONTENT_PX, await html('grid', 'BC02', '--candidate', 'c001'));
      const broken = await page.evaluate<string[]>(BROWSER.brokenWords);
      expect(broken).toEqual([]);
    });

    // Seen in the printed PDFs: the sheet's "Résultat" header read "Résulta/t" on every page,
    // and the PV's "acquis antérieurement" read "antérieurem/ent".
    it('sheet and PV cells are not broken inside a word', async () => {
      // The demo's PV (four units, "acquis antérieurement", both languages) and this project's.
      const demo = await mkdtemp(path.join(os.tmpdir(), 'certif-demo-pv-'));
      await runInProcess(['demo', path.join(demo, 'd')], { cwd: demo });
      const demoPv = async (lang: string) =>
        (
          await runInProcess(['render', 'pv', '--format', 'html', '--lang', lang], {
            cwd: path.join(demo, 'd'),
          })
        ).stdout;
      const docs: [string, Promise<string>][] = [
        ['sheet', html('sheet', 'c002')],
        ['pv', html('pv')],
        ['demo pv fr', demoPv('fr')],
        ['demo pv en', demoPv('en')],
      ];
      for (const [name, text] of docs) {
        const argv = [name];
        const page = await printPage(CONTENT_PX, await text);
        // Words of letters only: a hostile token typed in an observation may break, words may not.
        const broken = (await page.evaluate<string[]>(BROWSER.brokenWordsInCells)).filter((w) =>
          /^[\p{L}’'-]{1,20}$/u.test(w),
        );
        expect({ document: argv[0], broken }).toEqual({ document: argv[0], broken: [] });
      }
      await rm(demo, { recursive: true, force: true });
    });

    // .criteria has margin-left 5 mm and padding 0: the list markers sit outside the content box,
    // and the printed PDF cuts them at the page margin ("10." prints as ".0.", "11." as ".1.").
    it('the numbers of the evaluation criteria fit inside the page', async () => {
      const page = await printPage(CONTENT_PX, await html('grid', 'BC02'));
      const m = await page.evaluate<{ room: number; marker: number }>(BROWSER.criteriaMarker);
      expect(m.marker).toBeGreaterThan(0);
      expect(m.room).toBeGreaterThanOrEqual(m.marker);
    });

    // An activity heading printed alone at the bottom of a page, its table on the next (seen on
    // the demo's BC02 grid for c002: "Activité A5" ends page 2). h2 has no break-after: avoid.
    it('headings stay with the table that follows them', async () => {
      const page = await printPage(CONTENT_PX, await html('grid', 'BC02'));
      const value = await page.evaluate<string>(BROWSER.headingBreakAfter);
      expect(value).toBe('avoid');
    });
  });

  describe('hostile names and observations', () => {
    const htmlDocs = [
      ['grid', ['grid', 'BC01', '--candidate', 'c002']],
      ['sheet', ['sheet', 'c002']],
      ['pv', ['pv']],
    ] as const;

    it.each(htmlDocs)('%s (html): the payload is escaped in the raw HTML', async (_, argv) => {
      const text = await html(...argv);
      expect(text).toContain('&lt;img src');
      expect(text).not.toContain('<img');
      expect(text).not.toMatch(/<script/i);
      expect(text).not.toMatch(/onerror=/);
      if (argv[0] !== 'pv') expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });

    /** One page with JavaScript on, reused; every dialog it opens is recorded. */
    let scripted: Page | undefined;
    const dialogs: string[] = [];
    afterAll(async () => {
      await scripted?.close();
    });

    it.each(
      htmlDocs.flatMap(([name, argv]) =>
        (['with', 'without'] as const).map((csp) => [name, csp, argv] as const),
      ),
    )(
      '%s in Chromium, JavaScript on, %s its CSP: no dialog, no img, no script, literal text',
      async (_, csp, argv) => {
        let source = await html(...argv);
        if (csp === 'without') {
          source = source.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n?/, '');
          expect(source).not.toContain('Content-Security-Policy');
        }
        if (!scripted) {
          scripted = await browser.newPage({ javaScriptEnabled: true });
          scripted.on('dialog', (d) => {
            dialogs.push(d.message());
            void d.dismiss();
          });
        }
        await scripted.setContent(source, { waitUntil: 'load' });
        await scripted.waitForTimeout(50);
        const m = await scripted.evaluate<InjectedMetrics>(BROWSER.injected);
        expect(dialogs).toEqual([]);
        expect(m.imgs).toBe(0);
        expect(m.scripts).toBe(0);
        expect(m.handlers).toBe(0);
        expect(m.text).toContain(XSS_NAME);
        if (argv[0] !== 'pv') expect(m.text).toContain(XSS_OBS);
      },
    );

    it.each(htmlDocs)('%s (md): the payload is escaped for Markdown', async (_, argv) => {
      const text = await md(...argv);
      expect(text).toContain('\\<img src=x onerror=alert(1)\\>');
      expect(text).not.toMatch(/(^|[^\\])<img/);
      if (argv[0] !== 'pv') expect(text).toContain('\\<script\\>alert(1)\\</script\\>');
      expect(text).not.toMatch(/(^|[^\\])<script/);
    });

    /** Unescaped `|` of a Markdown table row. */
    const pipes = (line: string): number => (line.match(/(?<!\\)\|/g) ?? []).length;

    it.each([
      ['grid', ['grid', 'BC01', '--candidate', 'c003']],
      ['sheet', ['sheet', 'c003']],
      ['pv', ['pv']],
      ['attestation', ['attestation', 'c003']],
    ] as const)('%s (md): a name with a | adds no column', async (_, argv) => {
      const text = await md(...argv);
      expect(text).toContain('Durand \\| Acquis');
      const lines = text.split('\n');
      let tables = 0;
      for (let i = 0; i < lines.length; i++) {
        if (!lines[i]?.startsWith('|') || lines[i - 1]?.startsWith('|')) continue;
        tables += 1;
        const header = pipes(lines[i] ?? '');
        for (let j = i; lines[j]?.startsWith('|'); j++) {
          expect(pipes(lines[j] ?? ''), lines[j]).toBe(header);
        }
      }
      expect(tables).toBeGreaterThan(0);
      const row = lines.find((l) => l.includes('Durand \\| Acquis'));
      expect(row).toBeDefined();
    });
  });

  describe('screenshots for a person to look at', () => {
    it('the demo’s BC01 grid for c002 (with accommodations) and its PV', async () => {
      const shots = path.join(os.tmpdir(), 'certif-shots');
      await mkdir(shots, { recursive: true });
      const demo = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-demo-')));
      try {
        // No PDF in the demo here (Chromium is printed with separately above): faster.
        const env = { CERTIF_CHROMIUM: path.join(demo, 'no-chromium') };
        const target = path.join(demo, 'demo');
        const r = await runInProcess(['demo', target], { cwd: demo, env });
        expect(r.code, r.stderr).toBe(0);
        const render = async (...argv: string[]): Promise<string> => {
          const x = await runInProcess(['render', ...argv, '--format', 'html'], {
            cwd: target,
            env,
          });
          expect(x.code, x.stderr).toBe(0);
          return x.stdout;
        };
        const grid = await render('grid', 'BC01', '--candidate', 'c002');
        expect(grid).toContain('Tiers-temps ; Salle accessible en rez-de-chaussée');
        const pv = await render('pv');
        for (const [name, source] of [
          ['grid-BC01-c002', grid],
          ['pv', pv],
        ] as const) {
          await writeFile(path.join(shots, `${name}.html`), source);
          for (const media of ['print', 'screen'] as const) {
            const page = await browser.newPage({
              viewport: { width: media === 'print' ? CONTENT_PX : A4_PX + 100, height: 1123 },
            });
            try {
              await page.emulateMedia({ media });
              await page.setContent(source, { waitUntil: 'load' });
              await page.screenshot({
                path: path.join(shots, `${name}.${media}.png`),
                fullPage: true,
              });
            } finally {
              await page.close();
            }
          }
        }
        const files = await readdir(shots);
        for (const f of [
          'grid-BC01-c002.print.png',
          'grid-BC01-c002.screen.png',
          'pv.print.png',
          'pv.screen.png',
        ]) {
          expect(files).toContain(f);
          const png = await readFile(path.join(shots, f));
          expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
        }
      } finally {
        await rm(demo, { recursive: true, force: true });
      }
    });
  });
});

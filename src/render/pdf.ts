import { createRequire } from 'node:module';
import path from 'node:path';
import { InputError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { pathKind } from '../project/files.js';
import type * as Playwright from 'playwright-core';
import type { Browser } from 'playwright-core';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The Chromium to print with: `--chromium`, then CERTIF_CHROMIUM, then the usual paths. */
export async function findChromium(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  lang: Lang,
): Promise<string> {
  const explicit = option ?? env.CERTIF_CHROMIUM;
  const candidates = explicit
    ? [explicit]
    : [
        ...CANDIDATES,
        ...(env.PATH ?? '')
          .split(':')
          .filter(Boolean)
          .map((d) => path.join(d, 'chromium')),
      ];
  for (const c of candidates) if ((await pathKind(c)) === 'file') return c;
  throw new InputError(
    explicit
      ? pick(lang, `Chromium introuvable : ${explicit}`, `Chromium not found: ${explicit}`)
      : pick(
          lang,
          'Aucun Chromium trouvé pour produire le PDF.',
          'No Chromium found to produce the PDF.',
        ),
    pick(
      lang,
      'Installez-le (Debian/Ubuntu : sudo apt-get install chromium) ou indiquez-le avec --chromium <chemin> ou CERTIF_CHROMIUM. Sans Chromium, --format html s’imprime depuis un navigateur.',
      'Install it (Debian/Ubuntu: sudo apt-get install chromium) or point at one with --chromium <path> or CERTIF_CHROMIUM. Without Chromium, --format html prints from a browser.',
    ),
  );
}

/** While set, print jobs share one browser (see {@link withSharedBrowser}). */
let shared: { executablePath: string; browser?: Promise<Browser> } | undefined;

async function launch(executablePath: string): Promise<Browser> {
  // Required, not imported: the bundled CLI runs as a script, where import() is not available.
  const { chromium } = createRequire(import.meta.url)('playwright-core') as typeof Playwright;
  // Playwright starts Chromium with a fresh temporary profile of its own.
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** Run `fn` with one browser for all its PDFs (a Chromium start costs about a second). */
export async function withSharedBrowser<T>(fn: () => Promise<T>): Promise<T> {
  const previous = shared;
  shared = { executablePath: '' };
  try {
    return await fn();
  } finally {
    const browser = shared.browser;
    shared = previous;
    if (browser) await (await browser).close();
  }
}

/** Print standalone HTML documents to A4 PDFs with a headless Chromium, JavaScript off. */
export async function printPdfs(
  executablePath: string,
  htmls: readonly string[],
): Promise<Buffer[]> {
  let browser: Browser;
  if (shared) {
    shared.browser ??= launch(executablePath);
    browser = await shared.browser;
  } else {
    browser = await launch(executablePath);
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const out: Buffer[] = [];
    for (const html of htmls) {
      await page.setContent(html, { waitUntil: 'load' });
      out.push(await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true }));
    }
    await context.close();
    return out;
  } finally {
    if (!shared) await browser.close();
  }
}

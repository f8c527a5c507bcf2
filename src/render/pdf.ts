import path from 'node:path';
import { InputError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Lang } from '../diagnostics/diagnostic.js';
import { pathKind } from '../project/files.js';

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

/** Print standalone HTML documents to A4 PDFs with a headless Chromium (one browser for all). */
export async function printPdfs(
  executablePath: string,
  htmls: readonly string[],
): Promise<Buffer[]> {
  const { chromium } = await import('playwright-core');
  // Playwright starts Chromium with a fresh temporary profile of its own.
  const browser = await chromium.launch({
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
  try {
    const page = await browser.newPage({ javaScriptEnabled: false });
    const out: Buffer[] = [];
    for (const html of htmls) {
      await page.setContent(html, { waitUntil: 'load' });
      out.push(await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true }));
    }
    return out;
  } finally {
    await browser.close();
  }
}

import type { Lang } from '../diagnostics/diagnostic.js';

/** The language asked for: `--lang`, then CERTIF_LANG, then French. */
export function detectLang(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Lang {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    const value =
      arg === '--lang' ? argv[i + 1] : arg.startsWith('--lang=') ? arg.slice(7) : undefined;
    if (value === 'en' || value === 'fr') return value;
  }
  return env.CERTIF_LANG === 'en' ? 'en' : 'fr';
}

/** Pick the text of the current language. */
export function pick(lang: Lang, fr: string, en: string): string {
  return lang === 'en' ? en : fr;
}

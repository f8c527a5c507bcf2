/** Text formats rendered by templates (PDF is printed from HTML). */
export type TextFormat = 'html' | 'md';

/**
 * How every template is compiled, at build time (scripts/build-templates.mjs) or on first use
 * from the sources: strict (a missing field is an error, not an empty cell), HTML escaping on
 * for HTML and off for Markdown, whose view models are escaped beforehand; `eq` is the only
 * helper.
 */
export function compileOptions(format: TextFormat) {
  return {
    strict: true,
    noEscape: format === 'md',
    knownHelpers: { eq: true },
    knownHelpersOnly: true,
  };
}

/** The partials, by name, and their files under templates/ (used by HTML templates). */
export const partialFiles = {
  'layout-css': 'html/print.css',
  'bar-chart': 'html/bar-chart.hbs',
} as const;

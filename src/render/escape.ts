/**
 * Markdown escaping for user data. HTML escaping does not protect Markdown: a `|` forges a table
 * cell, a newline forges a row, `[x](javascript:…)` becomes a link, `<script>` passes through to
 * renderers that allow HTML. Every string of a Markdown view model goes through this.
 */
export function escapeMarkdown(text: string): string {
  // A bare number (-0,11, -3, +2.5) cannot open a list, a heading or a formula-looking cell in
  // Markdown, and a backslash before its sign shows literally in a table: leave it as it is.
  if (/^[-+]?\d+(?:[.,]\d+)?$/.test(text)) return text;
  return text
    .replace(/\r\n?|\n|\u2028|\u2029/g, ' ')
    .replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/^([=+\-@])/, '\\$1')
    .replace(/^(\d+)\. /, '$1\\. ');
}

/** Escape every string in a value (arrays and plain objects deep), for Markdown templates. */
export function escapeDeep<T>(value: T, escape: (s: string) => string): T {
  if (typeof value === 'string') return escape(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => escapeDeep(v, escape)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = escapeDeep(v, escape);
    return out as T;
  }
  return value;
}

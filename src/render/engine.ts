import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { escapeDeep, escapeMarkdown } from './escape.js';

/** Text formats rendered by templates (PDF is printed from HTML). */
export type TextFormat = 'html' | 'md';

/** The documents certif renders. */
export type DocumentName =
  'grid' | 'sheet' | 'pv' | 'attestation' | 'stats' | 'stats-qualiopi' | 'stats-agreement';

const templatesDir = new URL('../../templates/', import.meta.url);

type Template = (context: unknown) => string;

const instances = new Map<TextFormat, typeof Handlebars>();
const compiled = new Map<string, Template>();

/**
 * One isolated Handlebars environment per format: strict (a missing field is an error, not an
 * empty cell), HTML escaping always on for HTML, off for Markdown whose view models are escaped
 * beforehand. Nothing is registered on the global instance.
 */
function instance(format: TextFormat): typeof Handlebars {
  let hb = instances.get(format);
  if (!hb) {
    hb = Handlebars.create();
    hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    hb.registerPartial('layout-css', read('html/print.css'));
    hb.registerPartial('bar-chart', read('html/bar-chart.hbs'));
    instances.set(format, hb);
  }
  return hb;
}

function read(name: string): string {
  return readFileSync(new URL(name, templatesDir), 'utf8');
}

function template(format: TextFormat, name: string): Template {
  const key = `${format}/${name}`;
  let t = compiled.get(key);
  if (!t) {
    const source = read(`${format}/${name}.hbs`);
    t = instance(format).compile(source, {
      strict: true,
      noEscape: format === 'md',
      knownHelpers: { eq: true },
      knownHelpersOnly: true,
    });
    compiled.set(key, t);
  }
  return t;
}

/**
 * Render a document body from its view model. `labels` are certif's own words (not escaped for
 * Markdown); `data` is user data, escaped for the format.
 */
export function renderBody(
  format: TextFormat,
  name: DocumentName,
  labels: Readonly<Record<string, string>>,
  data: object,
): string {
  const safe = format === 'md' ? escapeDeep(data, escapeMarkdown) : data;
  return template(format, name)({ t: labels, ...safe });
}

/**
 * The text around bodies in {@link renderDocument}'s output, so that bodies can be written one
 * at a time: `head`, the bodies with `between` them, then `tail` give the same bytes as
 * `renderDocument` for one body or more.
 */
export function documentFrame(
  format: TextFormat,
  lang: string,
  title: string,
): { readonly head: string; readonly between: string; readonly tail: string } {
  if (format === 'md') return { head: '', between: '\n\n---\n\n', tail: '' };
  // Two bodies that cannot occur in a template, rendered once: what lies around them is the frame.
  const a = '\u0000certif-body-a\u0000';
  const b = '\u0000certif-body-b\u0000';
  const page = renderDocument(format, lang, title, [a, b]);
  const i = page.lastIndexOf(a);
  const j = page.lastIndexOf(b);
  return {
    head: page.slice(0, i),
    between: page.slice(i + a.length, j),
    tail: page.slice(j + b.length),
  };
}

/** Wrap rendered bodies into one standalone document (HTML page, or Markdown with rules). */
export function renderDocument(
  format: TextFormat,
  lang: string,
  title: string,
  bodies: readonly string[],
): string {
  if (format === 'md') return bodies.join('\n\n---\n\n');
  return template('html', 'layout')({ lang, title, bodies });
}

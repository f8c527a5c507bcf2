import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
// The runtime's own file, named whole: Node resolves no extensionless subpath of a package without
// "exports" (dist/ unbundled failed to render), and its typings declare nothing for it.
import HandlebarsRuntimeModule from 'handlebars/runtime.js';
import { loadCachedScript } from '../runtime/cached-script.js';
import { escapeDeep, escapeMarkdown } from './escape.js';
import { compileOptions, partialFiles, type TextFormat } from './template-options.js';

export type { TextFormat } from './template-options.js';

/** The documents certif renders. */
export type DocumentName =
  'grid' | 'sheet' | 'pv' | 'attestation' | 'stats' | 'stats-qualiopi' | 'stats-agreement';

const templatesDir = new URL('../../templates/', import.meta.url);

type Template = (context: unknown) => string;
type Environment = typeof Handlebars;
type TemplateSpecification = Parameters<Environment['template']>[0];
const HandlebarsRuntime = HandlebarsRuntimeModule as unknown as Environment;

/** Templates and partials precompiled by scripts/build-templates.mjs, by name. */
export interface PrecompiledTemplates {
  readonly templates: Readonly<Record<string, TemplateSpecification>>;
  readonly partials: Readonly<Record<string, TemplateSpecification>>;
}

/**
 * The templates precompiled at build time (scripts/build-templates.mjs): rendering then loads
 * only Handlebars' runtime. In the bundle, a script loaded with its V8 code cache (see
 * cached-script.ts). Absent when running from the sources (tests) or from dist/ unbundled, where
 * each template is compiled from templates/ on first use, with the same options.
 */
let precompiled = loadCachedScript(new URL('./templates.script.js', import.meta.url)) as
  PrecompiledTemplates | undefined;

const instances = new Map<TextFormat, Environment>();
const compiled = new Map<string, Template>();

/**
 * Render with these precompiled templates, or (undefined) compile them from templates/. For the
 * test that holds a build's templates to the sources' (every golden document, both ways).
 */
export function usePrecompiledTemplates(templates: PrecompiledTemplates | undefined): void {
  precompiled = templates;
  instances.clear();
  compiled.clear();
}

/** Handlebars with its compiler, loaded only to compile templates from the sources. */
function compilingHandlebars(): Environment {
  return createRequire(import.meta.url)('handlebars') as Environment;
}

/**
 * One isolated Handlebars environment per format, its `eq` helper and partials registered;
 * nothing is registered on the global instance.
 */
function instance(format: TextFormat): Environment {
  let hb = instances.get(format);
  if (!hb) {
    const env = precompiled ? HandlebarsRuntime.create() : compilingHandlebars().create();
    env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    for (const [name, file] of Object.entries(partialFiles)) {
      const spec = precompiled?.partials[name];
      env.registerPartial(name, spec ? env.template(spec) : read(file));
    }
    instances.set(format, env);
    hb = env;
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
    const hb = instance(format);
    if (precompiled) {
      const spec = precompiled.templates[key];
      if (!spec) throw new Error(`template ${key} missing from the build: run npm run build`);
      t = hb.template(spec);
    } else {
      t = hb.compile(read(`${key}.hbs`), compileOptions(format));
    }
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

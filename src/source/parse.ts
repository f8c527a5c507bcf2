import type { Document, LineCounter, Node, YAMLError } from 'yaml';
import { withoutBom } from './text.js';
import { fastPositions, type FastPositions } from './fast-locate.js';
import { locate, type Range } from './locate.js';
import { yamlLib } from './yaml-lib.js';
import type { CST } from 'yaml';
import { CORE_SCHEMA, load as fastLoad } from 'js-yaml';
import { readBlockSubset } from './block-subset.js';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic, type Params, type Where } from '../diagnostics/messages.js';

/** A parsed YAML file with everything needed to place a diagnostic. */
export interface SourceFile {
  /** Path as shown to the user. */
  readonly path: string;
  readonly text: string;
  /** The YAML tree with positions (built on first use for files read by the fast path). */
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The plain JavaScript value of the document. */
  readonly value: unknown;
}

/** Result of parsing: a source when the YAML is sound, and what went wrong otherwise. */
export interface ParseResult {
  readonly source?: SourceFile;
  readonly diagnostics: Diagnostic[];
}

/** Nesting limit: certif files are a handful of levels deep. */
export const MAX_DEPTH = 64;
/** Alias expansion limit (billion-laughs protection). */
export const MAX_ALIAS_COUNT = 100;

/** Options shared by parsing and by documents created for writing. */
export const yamlOptions = {
  version: '1.2',
  schema: 'core',
  merge: false,
  uniqueKeys: false,
  resolveKnownTags: false,
  strict: true,
  prettyErrors: false,
  keepSourceTokens: false,
} as const;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decode bytes as strict UTF-8, without a BOM; undefined when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    const text = decoder.decode(bytes);
    return withoutBom(text);
  } catch {
    return undefined;
  }
}

/**
 * The offset where a CST nests deeper than `limit`, computed without recursion (deep input must
 * never reach the recursive composer); undefined when it does not.
 */
function tooDeepAt(token: CST.Token, limit: number): number | undefined {
  const stack: [CST.Token, number][] = [[token, 0]];
  while (stack.length > 0) {
    const [t, depth] = stack.pop() as [CST.Token, number];
    if (depth > limit) return t.offset;
    if (t.type === 'document') {
      if (t.value) stack.push([t.value, depth]);
    } else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      for (const item of t.items) {
        const it = item as { key?: CST.Token | null; value?: CST.Token };
        if (it.key) stack.push([it.key, depth + 1]);
        if (it.value) stack.push([it.value, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Parse YAML text into a Document with positions. Never throws: syntax errors, duplicate keys,
 * tags, excessive nesting and alias bombs become diagnostics.
 */
export function parseYamlText(path: string, raw: string, lang: Lang): ParseResult {
  const { Composer, LineCounter, Parser, isScalar } = yamlLib();
  // Old Mac line ends (CR alone) are line breaks: made LF, same length, so offsets still hold.
  const text = raw.includes('\r') ? raw.replace(/\r(?!\n)/g, '\n') : raw;
  const lineCounter = new LineCounter();
  const at = (offset: number, endOffset = offset) => {
    const a = lineCounter.linePos(offset);
    const b = lineCounter.linePos(endOffset);
    return { file: path, line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  };
  const diag = (ruleId: string, params: Params, offset: number, endOffset?: number) =>
    diagnostic(lang, ruleId, params, at(offset, endOffset));

  const parser = new Parser(lineCounter.addNewLine);
  const tokens = Array.from(parser.parse(text));
  for (const token of tokens) {
    const deep = tooDeepAt(token, MAX_DEPTH);
    if (deep !== undefined)
      return { diagnostics: [diag('yaml/too-deep', { max: MAX_DEPTH }, deep)] };
  }
  const composer = new Composer(yamlOptions);
  const docs = Array.from(composer.compose(tokens, true, text.length));
  const diagnostics: Diagnostic[] = [];
  const doc = docs[0];
  if (!doc) return { diagnostics: [diag('yaml/empty', {}, 0)] };
  if (docs.length > 1) {
    const second = docs[1];
    diagnostics.push(diag('yaml/multiple-documents', {}, second?.range[0] ?? 0));
  }
  // The first syntax error is the one to fix: the parser's next ones mostly follow from it. An
  // unclosed bracket is reported first, where it was opened: that is where the fix goes.
  const unclosed = doc.errors.find((e) => /end with a [}\]]/.test(e.message));
  const open = unclosed ? openBefore(text, unclosed.pos[0]).bracket : undefined;
  const first = doc.errors[0] ?? doc.warnings[0];
  // A quote never closed is reported by the parser at the end of the text: point at the quote.
  const quote =
    first?.code === 'MISSING_CHAR' && /closing .?quote/.test(first.message)
      ? openBefore(text, first.pos[0]).quote
      : undefined;
  if (open !== undefined)
    diagnostics.push(diag('yaml/unclosed', { char: text[open] === '{' ? '{' : '[' }, open));
  else if (quote !== undefined)
    diagnostics.push(diag('yaml/unclosed-quote', { char: text[quote] === "'" ? "'" : '"' }, quote));
  else if (first) diagnostics.push(syntaxDiagnostic(first, text, lang, at));
  const version = doc.directives?.yaml.explicit ? doc.directives.yaml.version : undefined;
  if (version && version !== '1.2') {
    diagnostics.push(diag('yaml/version', { version }, 0));
  }
  if (diagnostics.length > 0) return { diagnostics };

  checkNodes(doc, lineCounter, (ruleId, params, node) => {
    const range = node.range ?? [0, 0, 0];
    let start = range[0];
    if (ruleId === 'yaml/tag') {
      // Point at the tag itself, written before the value on the same line.
      const bang = text.lastIndexOf('!', start);
      if (bang >= 0 && !text.slice(bang, start).includes('\n')) start = bang;
    }
    diagnostics.push(diag(ruleId, params, start, range[1]));
  });
  if (diagnostics.length > 0) return { diagnostics };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return { diagnostics: [diag('yaml/empty', {}, 0)] };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return { diagnostics: [diag('yaml/alias-limit', {}, firstAliasOffset(doc))] };
  }
  return { source: { path, text, doc, lineCounter, value }, diagnostics };
}

/** Explicit tags, non-scalar keys and duplicate keys (linear, Unicode-normalised). */
function checkNodes(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  report: (ruleId: string, params: Params, node: Node) => void,
): void {
  const { isMap, isScalar, visit } = yamlLib();
  visit(doc, {
    Node(_key, node) {
      if (node.tag) report('yaml/tag', { tag: shortTag(node.tag) }, node);
      if (isMap(node)) {
        const seen = new Map<string, Node>();
        for (const pair of node.items) {
          const key = pair.key as Node | null;
          if (!isScalar(key)) {
            if (key) report('yaml/key-type', {}, key);
            continue;
          }
          const text = String(key.value).normalize('NFC');
          const first = seen.get(text);
          if (first) {
            const firstLine = first.range ? lineCounter.linePos(first.range[0]).line : 0;
            report('yaml/duplicate-key', { key: text, firstLine }, key);
          } else {
            seen.set(text, key);
          }
        }
      }
      return undefined;
    },
  });
}

/**
 * What is still open at offset `end`: the last `[` or `{` never closed, and the quote never
 * closed (their offsets), reading past comments and quoted text (`''` inside single quotes is a
 * quote, not the end).
 */
function openBefore(text: string, end: number): { bracket?: number; quote?: number } {
  const brackets: number[] = [];
  let quote: number | undefined;
  let comment = false;
  for (let i = 0; i < end && i < text.length; i++) {
    const c = text[i];
    if (comment) {
      if (c === '\n') comment = false;
    } else if (quote !== undefined) {
      if (c === text[quote]) {
        if (c === "'" && text[i + 1] === "'") i += 1;
        else quote = undefined;
      } else if (c === '\\' && text[quote] === '"') i += 1;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      comment = true;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s,[{:]/.test(text[i - 1] ?? ''))) {
      quote = i;
    } else if (c === '[' || c === '{') {
      brackets.push(i);
    } else if (c === ']' || c === '}') {
      brackets.pop();
    }
  }
  return { bracket: brackets.at(-1), quote };
}

/** `tag:yaml.org,2002:str` as written: `!!str`. */
function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

function firstAliasOffset(doc: Document.Parsed): number {
  const { visit } = yamlLib();
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/** French (and English) wording for the parser's most frequent errors. */
const syntaxDetails: Record<string, { fr: string; en: string }> = {
  TAB_AS_INDENT: {
    fr: 'tabulation utilisée pour indenter ; YAML n’accepte que des espaces',
    en: 'a tab is used for indentation; YAML accepts only spaces',
  },
  BAD_INDENT: { fr: 'indentation incohérente', en: 'inconsistent indentation' },
  MISSING_CHAR: {
    fr: 'guillemet ou crochet ouvert mais jamais fermé',
    en: 'a quote or bracket is opened but never closed',
  },
  MULTILINE_IMPLICIT_KEY: {
    fr: 'une clé doit tenir sur une ligne : il manque sans doute « : » ou des guillemets',
    en: 'a key must fit on one line: a ":" or quotes are probably missing',
  },
  BLOCK_AS_IMPLICIT_KEY: {
    fr: 'une liste ou une table ne peut pas servir de clé',
    en: 'a list or map cannot be used as a key',
  },
  UNEXPECTED_TOKEN: { fr: 'caractère inattendu', en: 'unexpected character' },
  BAD_SCALAR_START: {
    fr: 'une valeur ne peut pas commencer par ce caractère : mettez-la entre guillemets',
    en: 'a value cannot start with this character: put it in quotes',
  },
  BAD_DQ_ESCAPE: {
    fr: 'séquence d’échappement invalide entre guillemets doubles',
    en: 'invalid escape sequence in double quotes',
  },
};

function syntaxDiagnostic(
  error: YAMLError,
  text: string,
  lang: Lang,
  at: (offset: number, end?: number) => Where,
): Diagnostic {
  const [start, end] = error.pos;
  if (error.code === 'TAG_RESOLVE_FAILED') {
    const m = /!\S*/.exec(text.slice(start, Math.min(text.length, start + 200)));
    const tag = m ? m[0] : shortTag(/tag: (\S+)/.exec(error.message)?.[1] ?? '');
    return diagnostic(lang, 'yaml/tag', { tag }, at(start, end));
  }
  const known = syntaxDetails[error.code];
  const detail = known ? known[lang] : (error.message.split('\n')[0] ?? error.message);
  return diagnostic(lang, 'yaml/syntax', { detail }, at(start, end));
}

/**
 * Anything the fast parser must not decide alone: directives, document markers, tags, anchors and
 * aliases, merge keys, tabs. Such files take the full path (which reports them precisely).
 */
const NEEDS_FULL_PARSE = /^(?:%|---|\.\.\.)|!(?:!|<|[A-Za-z])|(?:^|[\s[{,])[&*][^\s]|<<\s*:|\t/m;

function keysAreNfc(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k !== k.normalize('NFC')) return false;
        stack.push(child);
      }
    }
  }
  return true;
}

/** A source whose YAML tree is built only when a diagnostic needs a position. */
class LazySource implements SourceFile {
  private full: { doc: Document.Parsed; lineCounter: LineCounter } | undefined;
  private fast: FastPositions | undefined;

  /** A range found without building the YAML tree, when the file has none yet (see locateIn). */
  fastRange(pointer: string, atKey: boolean): Range | undefined {
    if (this.full) return undefined;
    this.fast ??= fastPositions(this.text);
    return this.fast.range(pointer, atKey);
  }

  constructor(
    readonly path: string,
    readonly text: string,
    readonly value: unknown,
    private readonly lang: Lang,
  ) {}

  private tree(): { doc: Document.Parsed; lineCounter: LineCounter } {
    if (!this.full) {
      const parsed = parseYamlText(this.path, this.text, this.lang);
      if (parsed.source) {
        this.full = { doc: parsed.source.doc, lineCounter: parsed.source.lineCounter };
      } else {
        // The full parser refuses what the fast one read (not seen in tests): diagnostics then
        // point at the top of the file rather than nowhere.
        const yaml = yamlLib();
        this.full = {
          doc: new yaml.Document(this.value) as Document.Parsed,
          lineCounter: new yaml.LineCounter(),
        };
      }
    }
    return this.full;
  }

  get doc(): Document.Parsed {
    return this.tree().doc;
  }

  get lineCounter(): LineCounter {
    return this.tree().lineCounter;
  }
}

/**
 * Parse the common case fast: a file in the block subset certif writes (see {@link readBlockSubset}),
 * else a plain file read by js-yaml (core schema, duplicate keys refused, depth bounded); the tree
 * with positions is built only if a diagnostic needs one. Anything unusual or wrong goes through
 * {@link parseYamlText}, which reports it precisely. All give the same values on what the fast
 * readers accept (tested).
 */
export function parseYaml(path: string, text: string, lang: Lang): ParseResult {
  const value = readBlockSubset(text) ?? loadPlainYaml(text);
  // Keys that look alike but differ by Unicode normalisation exist only in non-NFC text.
  if (
    value !== null &&
    typeof value === 'object' &&
    (text.normalize('NFC') === text || keysAreNfc(value))
  )
    return { source: new LazySource(path, text, value, lang), diagnostics: [] };
  return parseYamlText(path, text, lang);
}

/** js-yaml's value of a text without tags, anchors, directives or CR; undefined when it fails. */
function loadPlainYaml(text: string): unknown {
  if (NEEDS_FULL_PARSE.test(text) || text.includes('\r')) return undefined;
  try {
    return fastLoad(text, { schema: CORE_SCHEMA, json: false });
  } catch {
    return undefined; // not for the fast path: the full parser says why
  }
}

/**
 * Where a pointer lies in a file: from js-yaml's events when that is enough (a sound file's
 * notices), else from the full YAML tree.
 */
export function locateIn(source: SourceFile, pointer: string, atKey = false): Range {
  const fast = source instanceof LazySource ? source.fastRange(pointer, atKey) : undefined;
  return fast ?? locate(source.doc, source.lineCounter, pointer, atKey);
}

import {
  Composer,
  isMap,
  isScalar,
  LineCounter,
  Parser,
  visit,
  type Document,
  type Node,
} from 'yaml';
import type { CST } from 'yaml';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic, type Params } from '../diagnostics/messages.js';

/** A parsed YAML file with everything needed to place a diagnostic. */
export interface SourceFile {
  /** Path as shown to the user. */
  readonly path: string;
  readonly text: string;
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
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

/** Depth of the deepest collection in a CST, computed without recursion. */
function cstDepth(token: CST.Token, limit: number): number {
  let max = 0;
  const stack: [CST.Token, number][] = [[token, 0]];
  while (stack.length > 0) {
    const [t, depth] = stack.pop() as [CST.Token, number];
    if (depth > max) {
      max = depth;
      if (max > limit) return max;
    }
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
  return max;
}

/**
 * Parse YAML text into a Document with positions. Never throws: syntax errors, duplicate keys,
 * tags, excessive nesting and alias bombs become diagnostics.
 */
export function parseYamlText(path: string, text: string, lang: Lang): ParseResult {
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
    if (cstDepth(token, MAX_DEPTH) > MAX_DEPTH) {
      return { diagnostics: [diag('yaml/too-deep', { max: MAX_DEPTH }, token.offset)] };
    }
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
  for (const error of [...doc.errors, ...doc.warnings]) {
    const detail = error.message.split('\n')[0] ?? error.message;
    diagnostics.push(diag('yaml/syntax', { detail }, error.pos[0], error.pos[1]));
  }
  const version = doc.directives?.yaml.explicit ? doc.directives.yaml.version : undefined;
  if (version && version !== '1.2') {
    diagnostics.push(diag('yaml/version', { version }, 0));
  }
  if (diagnostics.length > 0) return { diagnostics };

  checkNodes(doc, lineCounter, (ruleId, params, node) => {
    const range = node.range ?? [0, 0, 0];
    diagnostics.push(diag(ruleId, params, range[0], range[1]));
  });
  if (diagnostics.length > 0) return { diagnostics };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return { diagnostics: [diag('yaml/empty', {}, 0)] };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return { diagnostics: [diag('yaml/alias-limit', {}, 0)] };
  }
  return { source: { path, text, doc, lineCounter, value }, diagnostics };
}

/** Explicit tags, non-scalar keys and duplicate keys (linear, Unicode-normalised). */
function checkNodes(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  report: (ruleId: string, params: Params, node: Node) => void,
): void {
  visit(doc, {
    Node(_key, node) {
      if (node.tag) report('yaml/tag', { tag: node.tag }, node);
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

import { CORE_SCHEMA, load } from 'js-yaml';
import { blockSubsetSpans } from './block-subset.js';
import { pointerSegments, type Range } from './locate.js';

/** A node as js-yaml's parser events see it: where it starts and ends, and what it holds. */
interface Frame {
  readonly start: number;
  end: number;
  kind: string | null;
  value: unknown;
  readonly children: Frame[];
}

/**
 * The nodes of a YAML text with their offsets, from js-yaml's `listener` events (every node is
 * opened, then closed once its value is built; a mapping's children are its keys and values in
 * turn). Undefined when the text does not load.
 */
function positionTree(text: string): Frame | undefined {
  const stack: Frame[] = [];
  let root: Frame | undefined;
  try {
    load(text, {
      schema: CORE_SCHEMA,
      listener(event, state) {
        if (event === 'open') {
          stack.push({
            start: state.position,
            end: -1,
            kind: null,
            value: undefined,
            children: [],
          });
          return;
        }
        const frame = stack.pop();
        if (!frame) return;
        frame.end = state.position;
        frame.kind = state.kind;
        if (state.kind === 'scalar') frame.value = state.result;
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(frame);
        else root = frame;
      },
    });
  } catch {
    return undefined;
  }
  return root;
}

/** A sequence item may come wrapped in a frame of the same extent: the node is inside. */
function unwrap(frame: Frame): Frame {
  let f = frame;
  for (;;) {
    const only = f.children.length === 1 ? f.children[0] : undefined;
    if (!only || only.start !== f.start || only.end !== f.end || only.kind !== f.kind) return f;
    f = only;
  }
}

function walk(root: Frame, segments: readonly string[]): Frame | undefined {
  let f = unwrap(root);
  for (const segment of segments) {
    if (f.kind === 'mapping') {
      let next: Frame | undefined;
      for (let i = 0; i + 1 < f.children.length; i += 2) {
        const key = f.children[i] as Frame;
        if (key.kind === 'scalar' && String(key.value) === segment) next = f.children[i + 1];
      }
      if (!next) return undefined;
      f = unwrap(next);
    } else if (f.kind === 'sequence') {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
      const item = f.children[Number(segment)];
      if (!item) return undefined;
      f = unwrap(item);
    } else {
      return undefined;
    }
  }
  return f;
}

function linePos(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

/** Ranges of a text's nodes, read once from js-yaml's events. */
export interface FastPositions {
  /**
   * The range of a plain one-line scalar value at `pointer`: the same range `locate` gives from the
   * `yaml` tree (tested on every scalar of every file the tests hold). Undefined for anything else
   * — a key, a collection, a quoted or multi-line scalar, a pointer that leads nowhere — which
   * `locate` then places from the full YAML tree.
   */
  range(pointer: string, atKey: boolean): Range | undefined;
}

/**
 * Positions without the `yaml` package, whose loading alone costs more than checking a small
 * project: enough to place the notices of a sound file. A text in the block subset certif writes
 * is placed by the block-subset reader (one pass, ~1 ms for the bundled référentiel); any other,
 * or with `subset: false`, from js-yaml's events (a cold js-yaml pass with a listener cost 7 to
 * 10 ms on the same file).
 */
export function fastPositions(text: string, options: { subset?: boolean } = {}): FastPositions {
  let root: Frame | undefined | null = null;
  let spans: ReadonlyMap<string, readonly [number, number]> | undefined | null =
    options.subset === false ? undefined : null;
  return {
    range(pointer, atKey) {
      if (atKey) return undefined;
      if (spans === null) spans = blockSubsetSpans(text);
      if (spans) {
        const span = spans.get(pointerSegments(pointer).join('\0'));
        if (!span) return undefined;
        const from = linePos(text, span[0]);
        const to = linePos(text, span[1]);
        return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
      }
      if (root === null) root = positionTree(text);
      const frame = root && walk(root, pointerSegments(pointer));
      if (frame?.kind !== 'scalar' || frame.children.length > 0) return undefined;
      let start = frame.start;
      while (text[start] === ' ') start += 1;
      const raw = text.slice(start, frame.end);
      if (raw === '' || raw.includes('\n') || raw.includes('#') || /^[|>&!*"'[{]/.test(raw))
        return undefined;
      if (raw !== raw.trimEnd()) return undefined;
      const from = linePos(text, start);
      const to = linePos(text, frame.end);
      return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
    },
  };
}

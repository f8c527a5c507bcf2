import { CORE_SCHEMA, type Type } from 'js-yaml';

/** A js-yaml type as its schema compiles it (the field `tag` is not in its typings). */
type ImplicitType = Type & { readonly tag: string };

/**
 * A reader for the plain block YAML certif itself writes — block mappings with plain keys, block
 * sequences, plain, single- and double-quoted one-line scalars, `[a, b]` lists of plain words,
 * empty `[]` and `{}`, comment lines — that answers `undefined` for anything else.
 *
 * It is not a YAML parser: whatever it does not recognise (tags, anchors, other flow collections,
 * block scalars, multi-line scalars, comments after data on a line, tabs, control characters,
 * duplicate or special keys, deep nesting…) goes to js-yaml and the `yaml` package, which read
 * and report it. On what it accepts it gives exactly js-yaml's value under the core schema: a
 * differential property test holds it to that, on generated, certif-written, damaged and tricky
 * texts and on every YAML file of the repository. It reads the benchmark's 3,000 evaluation
 * files in less than half of js-yaml's time, in time linear in the text.
 */
export function readBlockSubset(text: string): unknown {
  if (!IMPLICIT_AS_EXPECTED || OUTSIDE.test(text)) return undefined;
  try {
    return new Reader(text).document();
  } catch (e) {
    if (e === NOT_IN_SUBSET) return undefined;
    throw e;
  }
}

/**
 * Where each plain one-line scalar value of a text in the block subset lies: its path (segments
 * joined by NUL) → its start and end offsets. Undefined for a text outside the subset. Used to
 * place the notices of a sound file without another parser (see fast-locate.ts).
 */
export function blockSubsetSpans(
  text: string,
): ReadonlyMap<string, readonly [number, number]> | undefined {
  if (!IMPLICIT_AS_EXPECTED || OUTSIDE.test(text)) return undefined;
  const spans = new Map<string, readonly [number, number]>();
  try {
    new Reader(text, spans).document();
  } catch (e) {
    if (e === NOT_IN_SUBSET) return undefined;
    throw e;
  }
  return spans;
}

/**
 * Characters left to the full parsers: tabs, CR and other controls, C1 controls, surrogates
 * (astral characters and lone halves), U+FFFE and U+FFFF. js-yaml refuses or trims some of them.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this excludes
const OUTSIDE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/;

/** Thrown (one instance, no stack taken per throw) to leave a text to the full parsers. */
class NotInSubset extends Error {}
const NOT_IN_SUBSET = new NotInSubset('not in the block subset');

/** Nesting deeper than this is left to the full parser, which bounds and reports it. */
const MAX_NESTING = 32;

/** A plain key followed by `:` and spaces or the end of the line. */
const KEY = /[A-Za-z_][A-Za-z0-9_-]*:(?: +|(?=\n)|$)/y;
/** Plain keys js-yaml resolves to something else than their text, or stores specially. */
const SPECIAL_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|__proto__)$/;
const SPECIAL_FIRST = new Set('nNtTfF_'.split('').map((ch) => ch.charCodeAt(0)));

/** An item of a flow list read here: one word of letters, digits and `_ . @ + -`. */
const FLOW_WORD = /^[A-Za-z0-9_][A-Za-z0-9_.@+-]*$/;
const EDGE_SPACES = /^ +| +$/g;

/** Characters a plain scalar may not start with here (YAML indicators). */
const PLAIN_FIRST = new Set('-?:,[]{}#&*!|>\'"%@`'.split('').map((ch) => ch.charCodeAt(0)));

/** Indicators that still start a plain scalar when a non-space follows them (`-x`, `?x`, `:x`). */
const INDICATOR_BEFORE_WORD = new Set('-?:'.split('').map((ch) => ch.charCodeAt(0)));

/** js-yaml's implicit types of the core schema, in its order: null, bool, int, float. */
const IMPLICIT =
  (CORE_SCHEMA as unknown as { compiledImplicit?: ImplicitType[] }).compiledImplicit ?? [];
/**
 * `compiledImplicit` is js-yaml's own field, not its API: should another version change it, the
 * reader stands aside (every text goes to js-yaml) rather than resolve scalars differently.
 */
const IMPLICIT_AS_EXPECTED =
  IMPLICIT.map((type) => type.tag).join(' ') ===
  ['null', 'bool', 'int', 'float'].map((name) => `tag:yaml.org,2002:${name}`).join(' ');

/** The escapes of a double-quoted scalar, as js-yaml reads them. */
const ESCAPES = new Map<string, string>([
  ['0', '\0'],
  ['a', '\x07'],
  ['b', '\b'],
  ['t', '\t'],
  ['n', '\n'],
  ['v', '\v'],
  ['f', '\f'],
  ['r', '\r'],
  ['e', '\x1b'],
  [' ', ' '],
  ['"', '"'],
  ['/', '/'],
  ['\\', '\\'],
  ['N', '\x85'],
  ['_', '\xa0'],
  ['L', '\u2028'],
  ['P', '\u2029'],
]);
const HEX_LENGTH = new Map([
  ['x', 2],
  ['u', 4],
  ['U', 8],
]);
const HEX = /^[0-9A-Fa-f]+$/;

const SPACE = 0x20;
const DASH = 0x2d;
const HASH = 0x23;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/** A plain scalar's value: js-yaml's implicit resolution, skipped for text no type can match. */
function plainValue(s: string): unknown {
  // Only null, true and false (any case) among words: a letter other than n, t, f starts a string.
  const lower = s.charCodeAt(0) | 0x20;
  if (lower >= 0x61 && lower <= 0x7a && lower !== 0x6e && lower !== 0x74 && lower !== 0x66)
    return s;
  for (const type of IMPLICIT) if (type.resolve(s)) return type.construct(s);
  return s;
}

class Reader {
  /** Start of the current line. */
  private pos = 0;
  /** Indentation of the current content line; -1 at the end of the text. */
  private indent = 0;
  /** First character of the current content line. */
  private start = 0;
  /** End of the current content line (its `\n` or the end of the text). */
  private end = 0;
  private depth = 0;
  /** The keys and indexes leading to the value being read, kept only when spans are recorded. */
  private readonly path: string[] = [];

  constructor(
    private readonly text: string,
    private readonly spans?: Map<string, readonly [number, number]>,
  ) {
    this.seekContent();
  }

  private fail(): never {
    throw NOT_IN_SUBSET;
  }

  /** Skip blank lines and comment lines to the next content line. */
  private seekContent(): void {
    const t = this.text;
    for (;;) {
      if (this.pos >= t.length) {
        this.indent = -1;
        return;
      }
      let end = t.indexOf('\n', this.pos);
      if (end < 0) end = t.length;
      let i = this.pos;
      while (i < end && t.charCodeAt(i) === SPACE) i++;
      if (i < end && t.charCodeAt(i) !== HASH) {
        this.indent = i - this.pos;
        this.start = i;
        this.end = end;
        return;
      }
      this.pos = end + 1;
    }
  }

  private nextLine(): void {
    this.pos = this.end + 1;
    this.seekContent();
  }

  document(): unknown {
    if (this.indent !== 0) this.fail();
    const value = this.mapping(0, this.start);
    // The top mapping ends only at the end of the text or at a line it cannot hold.
    if (!this.atEnd()) this.fail();
    return value;
  }

  private atEnd(): boolean {
    return this.indent === -1;
  }

  /** Whether a sequence item starts at offset `c` of the current line: `-` then a space or its end. */
  private itemAt(c: number): boolean {
    const t = this.text;
    return t.charCodeAt(c) === DASH && (c + 1 === this.end || t.charCodeAt(c + 1) === SPACE);
  }

  /** A block mapping whose keys sit at column `col`; its first key starts at offset `at`. */
  private mapping(col: number, at: number): Record<string, unknown> {
    if (++this.depth > MAX_NESTING) this.fail();
    const t = this.text;
    const out: Record<string, unknown> = {};
    for (;;) {
      KEY.lastIndex = at;
      if (!KEY.test(t)) this.fail();
      // A key has no colon: it ends at the first one.
      const key = t.slice(at, t.indexOf(':', at));
      if ((SPECIAL_FIRST.has(t.charCodeAt(at)) && SPECIAL_KEY.test(key)) || Object.hasOwn(out, key))
        this.fail();
      const valueAt = KEY.lastIndex;
      if (this.spans) this.path.push(key);
      if (valueAt === this.end) {
        this.nextLine();
        out[key] = this.nested(col);
      } else {
        out[key] = this.scalar(valueAt);
        this.nextLine();
      }
      if (this.spans) this.path.pop();
      if (this.indent !== col) break;
      at = this.start;
    }
    // A deeper line here would continue a scalar, or be misplaced.
    if (this.indent > col) this.fail();
    this.depth--;
    return out;
  }

  /** What follows `key:` at the end of a line: a deeper block, a sequence at the key's column, or null. */
  private nested(col: number): unknown {
    if (this.indent < col) return null;
    const item = this.itemAt(this.start);
    if (this.indent === col) return item ? this.sequence(col, this.start) : null;
    return item ? this.sequence(this.indent, this.start) : this.mapping(this.indent, this.start);
  }

  /**
   * A block sequence whose dashes sit at column `col`, the first at offset `dash`: its items are
   * scalars, or mappings and sequences begun on the dash's line.
   */
  private sequence(col: number, dash: number): unknown[] {
    if (++this.depth > MAX_NESTING) this.fail();
    const t = this.text;
    const out: unknown[] = [];
    do {
      let i = dash + 1;
      while (i < this.end && t.charCodeAt(i) === SPACE) i++;
      if (i === this.end) this.fail();
      const column = this.indent + (i - this.start);
      if (this.spans) this.path.push(String(out.length));
      KEY.lastIndex = i;
      if (this.itemAt(i)) {
        out.push(this.sequence(column, i));
      } else if (KEY.test(t)) {
        out.push(this.mapping(column, i));
      } else {
        out.push(this.scalar(i));
        this.nextLine();
      }
      if (this.spans) this.path.pop();
      dash = this.start;
    } while (this.indent === col && this.itemAt(this.start));
    if (this.indent > col) this.fail();
    this.depth--;
    return out;
  }

  /** The scalar from offset `from` to the end of the current line (trailing spaces aside). */
  private scalar(from: number): unknown {
    const t = this.text;
    const c = t.charCodeAt(from);
    if (c === QUOTE) return this.doubleQuoted(from);
    if (c === APOSTROPHE) return this.singleQuoted(from);
    let end = this.end;
    while (t.charCodeAt(end - 1) === SPACE) end--;
    if (c === OPEN_BRACKET) return this.flowSequence(from, end);
    if (c === OPEN_BRACE) {
      // Only the empty `{}`; other flow mappings go to the parsers.
      if (end - from === 2 && t.charCodeAt(from + 1) === CLOSE_BRACE) return {};
      this.fail();
    }
    // `-`, `?` and `:` start a plain scalar when something other than a space follows.
    if (
      PLAIN_FIRST.has(c) &&
      !(INDICATOR_BEFORE_WORD.has(c) && from + 1 < end && t.charCodeAt(from + 1) !== SPACE)
    )
      this.fail();
    const s = t.slice(from, end);
    // ": " would start a mapping, " #" a comment, a final ":" a key.
    if (s.includes(': ') || s.includes(' #') || s.charCodeAt(s.length - 1) === COLON) this.fail();
    if (this.spans && !s.includes('#')) this.spans.set(this.path.join('\0'), [from, end]);
    return plainValue(s);
  }

  /** `[a, b]` as the writer puts a list of ids: plain words between commas, nothing else. */
  private flowSequence(from: number, end: number): unknown[] {
    const t = this.text;
    if (t.charCodeAt(end - 1) !== CLOSE_BRACKET) this.fail();
    // Spaces only: String#trim would also take U+00A0 and other spaces, which YAML keeps.
    const inner = t.slice(from + 1, end - 1).replace(EDGE_SPACES, '');
    if (inner === '') return [];
    const items = inner.split(',');
    const out: unknown[] = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = (items[i] as string).replace(EDGE_SPACES, '');
      if (!FLOW_WORD.test(item)) this.fail();
      out[i] = plainValue(item);
    }
    return out;
  }

  private doubleQuoted(from: number): string {
    const t = this.text;
    // The common string, without escapes, in one slice. The backslash is looked for inside the
    // string only (a search to the end of the text for each string made long files quadratic);
    // a quote found past the line means the reader gives up, once.
    const close = t.indexOf('"', from + 1);
    if (close >= 0 && close < this.end) {
      const plain = t.slice(from + 1, close);
      if (!plain.includes('\\')) {
        this.afterQuoted(close + 1);
        return plain;
      }
    }
    let out = '';
    let i = from + 1;
    let chunk = i;
    for (;;) {
      // A string going on past its line is folded: left to the parsers.
      if (i >= this.end) this.fail();
      const c = t.charCodeAt(i);
      if (c === QUOTE) break;
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += t.slice(chunk, i);
      const e = t.charAt(i + 1);
      const simple = ESCAPES.get(e);
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else {
        const length = HEX_LENGTH.get(e) ?? this.fail();
        const hex = t.slice(i + 2, i + 2 + length);
        if (hex.length !== length || !HEX.test(hex)) this.fail();
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) this.fail();
        out += String.fromCodePoint(code);
        i += 2 + length;
      }
      chunk = i;
    }
    out += t.slice(chunk, i);
    this.afterQuoted(i + 1);
    return out;
  }

  private singleQuoted(from: number): string {
    const t = this.text;
    let out = '';
    let i = from + 1;
    for (;;) {
      const close = t.indexOf("'", i);
      if (close < 0 || close >= this.end) this.fail();
      out += t.slice(i, close);
      if (t.charCodeAt(close + 1) !== APOSTROPHE) {
        this.afterQuoted(close + 1);
        return out;
      }
      out += "'";
      i = close + 2;
    }
  }

  /** Only spaces may follow a closing quote on its line. */
  private afterQuoted(i: number): void {
    const t = this.text;
    while (i < this.end && t.charCodeAt(i) === SPACE) i++;
    if (i !== this.end) this.fail();
  }
}

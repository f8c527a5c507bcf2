/**
 * The text fields of the RNCP export, made usable: HTML that some certifiers paste into the
 * registry removed, and `LISTE_COMPETENCES` (one text for a whole bloc) split into competencies.
 * Pure functions.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  laquo: '«',
  raquo: '»',
  hellip: '…',
  ndash: '–',
  mdash: '—',
  bull: '•',
  middot: '·',
  deg: '°',
  euro: '€',
  oelig: 'œ',
  OElig: 'Œ',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  euml: 'ë',
  agrave: 'à',
  acirc: 'â',
  ccedil: 'ç',
  icirc: 'î',
  iuml: 'ï',
  ocirc: 'ô',
  ugrave: 'ù',
  ucirc: 'û',
  uuml: 'ü',
  Eacute: 'É',
  Egrave: 'È',
  Ecirc: 'Ê',
  Agrave: 'À',
  Acirc: 'Â',
  Ccedil: 'Ç',
};

/** Block-level tags become line breaks; list items become bullets. */
const BLOCK_TAG = /<\s*\/?\s*(?:br|p|div|ul|ol|h[1-6]|tr|table|tbody)\b[^>]*>/gi;
const LI_TAG = /<\s*li\b[^>]*>/gi;
const ANY_TAG = /<\s*\/?\s*[a-z][a-z0-9]*\b[^>]*>/gi;

/**
 * Remove HTML tags and entities left in a field (the export is XML, but some fiches carry HTML
 * as text): `<li>` becomes a bulleted line, `<p>` and `<br>` line breaks, `&eacute;` « é ».
 * Line breaks and runs of spaces are kept: they separate competencies.
 */
export function plainText(raw: string): string {
  let s = raw.replace(/\r\n?/g, '\n').replace(/[\t\u00a0\u202f]/g, ' ');
  if (s.includes('<')) {
    s = s.replace(LI_TAG, '\n• ').replace(BLOCK_TAG, '\n').replace(ANY_TAG, '');
  }
  if (s.includes('&')) {
    s = s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (all, name: string) => {
      if (name.startsWith('#')) {
        const code =
          name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
      }
      return ENTITIES[name] ?? all;
    });
    s = s.replace(/\u00a0/g, ' ');
  }
  return s;
}

/** One line of text: whitespace runs collapsed, trimmed, NFC. */
export function oneLine(s: string): string {
  return plainText(s)
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim()
    .normalize('NFC');
}

/** A competency split out of `LISTE_COMPETENCES`. */
export interface SplitCompetency {
  /** The code the text gives it (`A1C1`, `C.1` → `C1`), when it gives one. */
  readonly code?: string;
  readonly label: string;
}

/** How the list was written, and what it holds. */
export interface SplitList {
  /** `coded`: « A1C1. … A1C2. … »; `bulleted`: « - … - … »; `sentences`: one per sentence. */
  readonly style: 'coded' | 'bulleted' | 'sentences' | 'single' | 'empty';
  /** Text before the first competency (an introduction), one line; empty when none. */
  readonly preamble: string;
  readonly items: readonly SplitCompetency[];
}

// A break between two items: a line break, or two spaces or more (the export flattens lines).
const BREAK = String.raw`(?:^|\s*\n\s*|[ ]{2,})`;
const BULLET = '[-*•●▪◦‣–]';
// A competency code at the start of an item: A1C1, A5.C1, C.1, C12, BC01C3, CP4.
const CODE = String.raw`((?:[A-Z]{1,3}[0-9]{0,2}\.?)?C[A-Z]?\.?[0-9]{1,3})(?![0-9])`;
const CODED = new RegExp(`${BREAK}(?:${BULLET}\\s*)?${CODE}\\s*[.:)–-]?\\s*(?=\\S)`, 'gu');
const BULLETED = new RegExp(`${BREAK}${BULLET}\\s+(?=\\S)`, 'gu');
const SENTENCE_BREAK = /(?<=[.;!?])(?:\s*\n\s*|[ ]{2,})(?=\S)|\s*\n\s*/gu;

/** Split a text at the start of each match; the text before the first match is the preamble. */
function splitAt(
  text: string,
  re: RegExp,
): { preamble: string; parts: { start: string; body: string }[] } {
  const matches = [...text.matchAll(re)];
  const preamble = text.slice(0, matches[0]?.index ?? text.length);
  const parts = matches.map((m, i) => {
    const from = (m.index ?? 0) + m[0].length;
    const to = matches[i + 1]?.index ?? text.length;
    return { start: m[1] ?? '', body: text.slice(from, to) };
  });
  return { preamble, parts };
}

const label = (s: string) => oneLine(s).replace(/^[-–:;,.\s]+/u, '');

/**
 * Split a bloc's `LISTE_COMPETENCES` into competencies. Tries, in order: items that start with
 * a code (« A1C1. », « C.3. »), bulleted items (« - », « * », « • », HTML lists), then one
 * competency per sentence. A list whose items run together without any mark stays merged: no
 * guess is made inside a sentence.
 */
export function splitCompetencies(raw: string): SplitList {
  const text = plainText(raw).trim();
  if (text === '') return { style: 'empty', preamble: '', items: [] };

  const coded = splitAt(text, CODED);
  const codedAtStart = coded.preamble.trim() === '' || coded.parts.length >= 2;
  if (coded.parts.length > 0 && codedAtStart) {
    return {
      style: 'coded',
      preamble: oneLine(coded.preamble),
      items: coded.parts
        .map((p) => ({ code: p.start.replace(/[.\s]/g, ''), label: label(p.body) }))
        .filter((c) => c.label !== ''),
    };
  }

  const bulleted = splitAt(text, BULLETED);
  if (
    bulleted.parts.length >= 2 ||
    (bulleted.parts.length === 1 && bulleted.preamble.trim() === '')
  ) {
    return {
      style: 'bulleted',
      preamble: oneLine(bulleted.preamble),
      items: bulleted.parts.map((p) => ({ label: label(p.body) })).filter((c) => c.label !== ''),
    };
  }

  const sentences = text
    .split(SENTENCE_BREAK)
    .map(label)
    .filter((s) => s !== '');
  return {
    style: sentences.length > 1 ? 'sentences' : 'single',
    preamble: '',
    items: sentences.map((s) => ({ label: s })),
  };
}

/** A spreadsheet header as compared: trimmed, lower case, without accents, single spaces. */
export function foldHeader(h: string): string {
  return h
    .trim()
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ');
}

/** The separator of a CSV export: the one of `;` and `,` its header line holds most. */
export function csvSeparator(text: string): ';' | ',' {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  return first.split(';').length >= first.split(',').length ? ';' : ',';
}

/** Text without its byte-order mark. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

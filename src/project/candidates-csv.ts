import { parse } from 'csv-parse/sync';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic, registerMessages } from '../diagnostics/messages.js';
import type { Candidate } from '../model/session.js';
import { csvSeparator, foldHeader, withoutBom } from '../source/text.js';

const t = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

registerMessages({
  'csv/syntax': {
    severity: 'error',
    fr: (p) => [
      `CSV illisible : ${t(p.detail)}.`,
      'Vérifiez les guillemets : chaque « " » ouvert doit être fermé.',
    ],
    en: (p) => [
      `Unreadable CSV: ${t(p.detail)}.`,
      'Check the quotes: every opening " must be closed.',
    ],
  },
  'csv/empty': {
    severity: 'error',
    fr: () => [
      'Le fichier CSV est vide.',
      'Exportez la liste des candidats depuis le tableur avec sa ligne d’en-têtes.',
    ],
    en: () => [
      'The CSV file is empty.',
      'Export the candidate list from the spreadsheet with its header row.',
    ],
  },
  'csv/missing-header': {
    severity: 'error',
    fr: (p) => [
      `Colonne « ${t(p.header)} » absente de la ligne d’en-têtes.`,
      'En-têtes attendus (ordre libre) : identifiant, nom, prénom, blocs, aménagements (facultatif).',
    ],
    en: (p) => [
      `Column "${t(p.header)}" is missing from the header row.`,
      'Expected headers (any order): identifiant, nom, prénom, blocs, aménagements (optional).',
    ],
  },
  'csv/mixed-separators': {
    severity: 'error',
    fr: (p) => [
      `Cette ligne n’a pas le même nombre de colonnes que l’en-tête (${t(p.count)} au lieu de ${t(p.expected)}).`,
      'Utilisez un seul séparateur (« ; » ou « , ») et mettez entre guillemets les valeurs qui le contiennent.',
    ],
    en: (p) => [
      `This row does not have as many columns as the header (${t(p.count)} instead of ${t(p.expected)}).`,
      'Use a single separator (";" or ",") and quote values that contain it.',
    ],
  },
  'csv/bad-id': {
    severity: 'error',
    fr: (p) => [
      `Identifiant « ${t(p.value)} » invalide.`,
      'Un identifiant s’écrit en minuscules, chiffres, « . », « - » ou « _ » (ex. c001), sans espace ni « / ».',
    ],
    en: (p) => [
      `Invalid identifiant "${t(p.value)}".`,
      'An identifiant is lower-case letters, digits, ".", "-" or "_" (e.g. c001), with no space or "/".',
    ],
  },
  'csv/empty-field': {
    severity: 'error',
    fr: (p) => [`Colonne « ${t(p.header)} » vide.`, 'Complétez la cellule.'],
    en: (p) => [`Column "${t(p.header)}" is empty.`, 'Fill in the cell.'],
  },
  'csv/formula': {
    severity: 'error',
    fr: (p) => [
      `La cellule « ${t(p.header)} » commence par « ${t(p.char)} » : un tableur l’exécuterait comme une formule.`,
      'Retirez ce caractère en tête de cellule.',
    ],
    en: (p) => [
      `Cell "${t(p.header)}" starts with "${t(p.char)}": a spreadsheet would run it as a formula.`,
      'Remove that leading character.',
    ],
  },
  'csv/unknown-bloc': {
    severity: 'error',
    fr: (p) => [`Bloc « ${t(p.bloc)} » inconnu.`, `Blocs du référentiel : ${t(p.known)}.`],
    en: (p) => [`Unknown bloc "${t(p.bloc)}".`, `Blocs of the référentiel: ${t(p.known)}.`],
  },
  'csv/duplicate': {
    severity: 'error',
    fr: (p) => [
      `Identifiant « ${t(p.id)} » déjà utilisé ligne ${t(p.first)}.`,
      'Chaque candidat a un identifiant unique.',
    ],
    en: (p) => [
      `Identifiant "${t(p.id)}" already used on line ${t(p.first)}.`,
      'Each candidate has a unique identifiant.',
    ],
  },
  'csv/conflicting-candidate': {
    severity: 'error',
    fr: (p) => [
      `Le candidat « ${t(p.id)} » existe déjà dans la session avec d’autres données.`,
      'Corrigez la ligne, ou modifiez le candidat directement dans session.yaml.',
    ],
    en: (p) => [
      `Candidate "${t(p.id)}" already exists in the session with other data.`,
      'Fix the row, or edit the candidate directly in session.yaml.',
    ],
  },
  'csv/too-many-rows': {
    severity: 'error',
    fr: (p) => [
      `Trop de lignes (${t(p.count)} ; au plus ${t(p.max)}).`,
      'Importez les candidats par sessions.',
    ],
    en: (p) => [
      `Too many rows (${t(p.count)}; at most ${t(p.max)}).`,
      'Import candidates session by session.',
    ],
  },
});

/** Most rows a candidate import takes. */
export const MAX_ROWS = 20_000;

const headerKeys = {
  identifiant: 'id',
  id: 'id',
  nom: 'family_name',
  'nom de famille': 'family_name',
  prenom: 'given_name',
  blocs: 'blocs',
  amenagements: 'accommodations',
} as const;

type Field = (typeof headerKeys)[keyof typeof headerKeys];

const SLUG = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const FORMULA = /^[=+\-@\t\r]/;

/** csv-parse's errors in the user's language (its own messages are English). */
function csvDetail(code: string | undefined, lang: Lang): string | undefined {
  const details: Record<string, [string, string]> = {
    CSV_QUOTE_NOT_CLOSED: [
      'un guillemet ouvert sur cette ligne n’est jamais fermé',
      'a quote opened on this line is never closed',
    ],
    CSV_INVALID_OPENING_QUOTE: [
      'guillemet au milieu d’une cellule non entre guillemets',
      'a quote in the middle of an unquoted cell',
    ],
    CSV_INVALID_CLOSING_QUOTE: [
      'texte après le guillemet fermant d’une cellule',
      'text after the closing quote of a cell',
    ],
  };
  const d = code ? details[code] : undefined;
  return d ? (lang === 'en' ? d[1] : d[0]) : undefined;
}

/** The line where a quote that is never closed was opened. */
function openQuoteLine(text: string): number | undefined {
  let line = 1;
  let opened: number | undefined;
  for (const ch of text) {
    if (ch === '"') opened = opened === undefined ? line : undefined;
    else if (ch === '\n') line += 1;
  }
  return opened;
}

/** The rows of a candidate CSV, checked; candidates are built only when there is no error. */
export function parseCandidatesCsv(
  text: string,
  display: string,
  unitIds: readonly string[] | undefined,
  lang: Lang,
): { candidates: Candidate[]; lines: number[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const at = (line: number, column = 1) => ({ file: display, line, column });
  const body = withoutBom(text);
  if (body.trim() === '')
    return { candidates: [], lines: [], diagnostics: [diagnostic(lang, 'csv/empty', {}, at(1))] };
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(body, {
      delimiter: csvSeparator(body),
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      bom: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as { message?: string; lines?: number; code?: string };
    const detail = csvDetail(e.code, lang) ?? (e.message ?? String(error)).replace(/\.$/, '');
    const line = e.code === 'CSV_QUOTE_NOT_CLOSED' ? openQuoteLine(body) : e.lines;
    return {
      candidates: [],
      lines: [],
      diagnostics: [diagnostic(lang, 'csv/syntax', { detail }, at(line ?? e.lines ?? 1))],
    };
  }
  const [head, ...data] = rows;
  if (!head)
    return { candidates: [], lines: [], diagnostics: [diagnostic(lang, 'csv/empty', {}, at(1))] };
  if (data.length > MAX_ROWS) {
    return {
      candidates: [],
      lines: [],
      diagnostics: [
        diagnostic(lang, 'csv/too-many-rows', { count: data.length, max: MAX_ROWS }, at(1)),
      ],
    };
  }
  const columns = new Map<Field, number>();
  head.record.forEach((h, i) => {
    const key = headerKeys[foldHeader(h) as keyof typeof headerKeys] as Field | undefined;
    if (key && !columns.has(key)) columns.set(key, i);
  });
  for (const [field, label] of [
    ['id', 'identifiant'],
    ['family_name', 'nom'],
    ['given_name', 'prénom'],
    ['blocs', 'blocs'],
  ] as const) {
    if (!columns.has(field))
      diagnostics.push(diagnostic(lang, 'csv/missing-header', { header: label }, at(1)));
  }
  if (diagnostics.length > 0) return { candidates: [], lines: [], diagnostics };

  const labels: Record<Field, string> = {
    id: 'identifiant',
    family_name: 'nom',
    given_name: 'prénom',
    blocs: 'blocs',
    accommodations: 'aménagements',
  };
  const candidates: Candidate[] = [];
  const lines: number[] = [];
  const seen = new Map<string, number>();
  for (const row of data) {
    const line = row.info.lines;
    const before = diagnostics.length;
    if (row.record.length !== head.record.length) {
      diagnostics.push(
        diagnostic(
          lang,
          'csv/mixed-separators',
          { count: row.record.length, expected: head.record.length },
          at(line),
        ),
      );
      continue;
    }
    const cell = (f: Field): string => {
      const i = columns.get(f);
      return i === undefined ? '' : (row.record[i] ?? '').trim();
    };
    for (const f of ['id', 'family_name', 'given_name', 'blocs', 'accommodations'] as const) {
      const value = cell(f);
      const col = (columns.get(f) ?? 0) + 1;
      if (FORMULA.test(value)) {
        diagnostics.push(
          diagnostic(
            lang,
            'csv/formula',
            { header: labels[f], char: value[0] === '\t' ? 'tab' : value[0] },
            at(line, col),
          ),
        );
      } else if (value === '' && f !== 'accommodations') {
        diagnostics.push(diagnostic(lang, 'csv/empty-field', { header: labels[f] }, at(line, col)));
      }
    }
    const id = cell('id').toLowerCase();
    if (id !== '' && !SLUG.test(id) && !FORMULA.test(cell('id'))) {
      diagnostics.push(
        diagnostic(
          lang,
          'csv/bad-id',
          { value: cell('id').slice(0, 40) },
          at(line, (columns.get('id') ?? 0) + 1),
        ),
      );
    }
    const first = seen.get(id);
    if (id !== '' && first !== undefined) {
      diagnostics.push(diagnostic(lang, 'csv/duplicate', { id, first }, at(line)));
    } else if (id !== '') {
      seen.set(id, line);
    }
    const blocs: string[] = [];
    // A formula in the cell is already reported: its parts are not blocs to look up.
    const blocsCell = FORMULA.test(cell('blocs')) ? '' : cell('blocs');
    for (const raw of blocsCell.split(/[\s,;+]+/).filter(Boolean)) {
      const known = unitIds?.find((u) => u.toLowerCase() === raw.toLowerCase());
      if (unitIds && !known) {
        diagnostics.push(
          diagnostic(
            lang,
            'csv/unknown-bloc',
            { bloc: raw.slice(0, 40), known: unitIds.join(', ') },
            at(line, (columns.get('blocs') ?? 0) + 1),
          ),
        );
      } else {
        blocs.push(known ?? raw);
      }
    }
    if (diagnostics.length > before) continue;
    const accommodations = cell('accommodations')
      .split('|')
      .map((s) => s.trim())
      .filter(Boolean);
    candidates.push({
      id,
      family_name: cell('family_name'),
      given_name: cell('given_name'),
      blocs: [...new Set(blocs)],
      ...(accommodations.length > 0 ? { accommodations } : {}),
    });
    lines.push(line);
  }
  return { candidates: diagnostics.length > 0 ? [] : candidates, lines, diagnostics };
}

import type { Diagnostic, Lang, Severity } from './diagnostic.js';

/** Values a message is built from. */
export type Params = Readonly<Record<string, string | number | undefined>>;

type Text = readonly [message: string, hint?: string];

interface Entry {
  readonly severity: Severity;
  readonly fr: (p: Params) => Text;
  readonly en: (p: Params) => Text;
}

const s = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

/**
 * Every rule certif reports, with its stable id, default severity and its French and English
 * message and hint. Rule ids are public: tools and golden files rely on them.
 */
export const catalogue = {
  // ── files and YAML syntax ──────────────────────────────────────────────────────────────────
  'file/unreadable': {
    severity: 'error',
    fr: (p) => [
      `Lecture impossible : ${s(p.reason)}.`,
      'Vérifiez le chemin et les droits du fichier.',
    ],
    en: (p) => [
      `Cannot read the file: ${s(p.reason)}.`,
      'Check the path and the file permissions.',
    ],
  },
  'file/not-a-file': {
    severity: 'error',
    fr: () => ['Un fichier est attendu, pas un dossier.', 'Indiquez le chemin d’un fichier YAML.'],
    en: () => ['A file is expected, not a folder.', 'Give the path of a YAML file.'],
  },
  'file/too-large': {
    severity: 'error',
    fr: (p) => [
      `Fichier trop volumineux (${s(p.size)} octets, maximum ${s(p.max)}).`,
      'Un fichier certif tient en quelques kilo-octets : vérifiez qu’il s’agit du bon fichier.',
    ],
    en: (p) => [
      `File too large (${s(p.size)} bytes, at most ${s(p.max)}).`,
      'A certif file is a few kilobytes: check that this is the right file.',
    ],
  },
  'file/unknown-kind': {
    severity: 'error',
    fr: () => [
      'Type de fichier inconnu : ni référentiel, ni session, ni évaluation, ni délibération.',
      'Placez les référentiels dans referentials/ et les sessions dans sessions/<id>/.',
    ],
    en: () => [
      'Unknown kind of file: not a référentiel, session, evaluation or deliberation.',
      'Put référentiels in referentials/ and sessions in sessions/<id>/.',
    ],
  },
  'yaml/encoding': {
    severity: 'error',
    fr: () => [
      'Le fichier n’est pas en UTF-8 valide.',
      'Enregistrez le fichier en UTF-8 depuis votre éditeur.',
    ],
    en: () => ['The file is not valid UTF-8.', 'Save the file as UTF-8 from your editor.'],
  },
  'yaml/empty': {
    severity: 'error',
    fr: () => ['Le fichier est vide.', 'Complétez-le ou supprimez-le.'],
    en: () => ['The file is empty.', 'Fill it in or delete it.'],
  },
  'yaml/syntax': {
    severity: 'error',
    fr: (p) => [
      `Erreur de syntaxe YAML : ${s(p.detail)}`,
      'Vérifiez l’indentation (espaces, pas de tabulations), les deux-points et les guillemets.',
    ],
    en: (p) => [
      `YAML syntax error: ${s(p.detail)}`,
      'Check indentation (spaces, no tabs), colons and quotes.',
    ],
  },
  'yaml/unclosed': {
    severity: 'error',
    fr: (p) => [
      `« ${s(p.char)} » ouvert ici mais jamais fermé.`,
      `Fermez-le par « ${p.char === '{' ? '}' : ']'} », ou écrivez la liste ou la table en style bloc (une valeur par ligne).`,
    ],
    en: (p) => [
      `"${s(p.char)}" opened here but never closed.`,
      `Close it with "${p.char === '{' ? '}' : ']'}", or write the list or map in block style (one value per line).`,
    ],
  },
  'yaml/unclosed-quote': {
    severity: 'error',
    fr: (p) => [
      `Guillemet « ${s(p.char)} » ouvert ici mais jamais fermé.`,
      `Fermez la valeur par « ${s(p.char)} » sur la même ligne.`,
    ],
    en: (p) => [
      `Quote ${s(p.char)} opened here but never closed.`,
      `Close the value with ${s(p.char)} on the same line.`,
    ],
  },
  'yaml/duplicate-key': {
    severity: 'error',
    fr: (p) => [
      `Clé « ${s(p.key)} » en double (déjà définie ligne ${s(p.firstLine)}).`,
      'Supprimez ou renommez l’une des deux clés.',
    ],
    en: (p) => [
      `Duplicate key "${s(p.key)}" (already defined on line ${s(p.firstLine)}).`,
      'Remove or rename one of the two keys.',
    ],
  },
  'yaml/too-deep': {
    severity: 'error',
    fr: (p) => [
      `Imbrication trop profonde (plus de ${s(p.max)} niveaux).`,
      'Un fichier certif n’a que quelques niveaux : vérifiez les crochets et l’indentation.',
    ],
    en: (p) => [
      `Nesting too deep (more than ${s(p.max)} levels).`,
      'A certif file has only a few levels: check brackets and indentation.',
    ],
  },
  'yaml/alias-limit': {
    severity: 'error',
    fr: () => [
      'Trop d’alias YAML (*ancre) : leur expansion dépasse la limite autorisée.',
      'Écrivez les valeurs en clair au lieu d’utiliser des ancres et des alias.',
    ],
    en: () => [
      'Too many YAML aliases (*anchor): their expansion exceeds the limit.',
      'Write the values out instead of using anchors and aliases.',
    ],
  },
  'yaml/tag': {
    severity: 'error',
    fr: (p) => [
      `Étiquette YAML « ${s(p.tag)} » non autorisée.`,
      'Retirez l’étiquette (ce qui commence par !) : les fichiers certif n’utilisent que des textes, nombres, listes et tables.',
    ],
    en: (p) => [
      `YAML tag "${s(p.tag)}" is not allowed.`,
      'Remove the tag (what starts with !): certif files use only text, numbers, lists and maps.',
    ],
  },
  'yaml/multiple-documents': {
    severity: 'error',
    fr: () => [
      'Le fichier contient plusieurs documents YAML (---).',
      'Un fichier certif contient un seul document : séparez-les en plusieurs fichiers.',
    ],
    en: () => [
      'The file holds several YAML documents (---).',
      'A certif file holds one document: split it into several files.',
    ],
  },
  'yaml/version': {
    severity: 'error',
    fr: (p) => [
      `Directive %YAML ${s(p.version)} non prise en charge.`,
      'Supprimez la ligne %YAML : certif lit le YAML 1.2.',
    ],
    en: (p) => [
      `%YAML ${s(p.version)} directive not supported.`,
      'Remove the %YAML line: certif reads YAML 1.2.',
    ],
  },
  'yaml/key-type': {
    severity: 'error',
    fr: () => ['Une clé doit être un texte simple.', 'Écrivez la clé comme un mot suivi de « : ».'],
    en: () => ['A key must be plain text.', 'Write the key as a word followed by ":".'],
  },
} as const satisfies Record<string, Entry>;

/** A catalogue entry's id. */
export type RuleId = keyof typeof catalogue;

const extra = new Map<string, Entry>();

/** Register more entries (rule families add theirs at module load). */
export function registerMessages(entries: Record<string, Entry>): void {
  for (const [id, entry] of Object.entries(entries)) extra.set(id, entry);
}

/** Where a diagnostic points. */
export interface Where {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly pointer?: string;
}

/** Build a diagnostic from a rule id, its parameters and a position. */
export function diagnostic(
  lang: Lang,
  ruleId: string,
  params: Params,
  where: Where,
  severity?: Severity,
): Diagnostic {
  const entry = (catalogue as Record<string, Entry>)[ruleId] ?? extra.get(ruleId);
  if (!entry) throw new Error(`No message for rule ${ruleId}`);
  const [message, hint] = entry[lang](params);
  return {
    ruleId,
    severity: severity ?? entry.severity,
    message,
    ...(hint ? { hint } : {}),
    ...where,
  };
}

/** Entry type, for rule families that register their own messages. */
export type MessageEntry = Entry;

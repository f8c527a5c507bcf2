import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import { diagnostic, registerMessages, type Params } from '../diagnostics/messages.js';
import { locateIn, type SourceFile } from '../source/parse.js';
import { encodeSegment } from '../source/locate.js';
import { schemaErrors, type FileKind } from './registry.js';

const list = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

const typeNames: Record<string, { fr: string; en: string }> = {
  string: { fr: 'un texte', en: 'a text' },
  number: { fr: 'un nombre', en: 'a number' },
  integer: { fr: 'un nombre entier', en: 'a whole number' },
  boolean: { fr: 'oui/non (true ou false)', en: 'yes/no (true or false)' },
  object: { fr: 'une table (clé: valeur)', en: 'a map (key: value)' },
  array: { fr: 'une liste', en: 'a list' },
  null: { fr: 'une valeur vide', en: 'an empty value' },
};

/** Schema errors reported per file at most. */
export const MAX_SCHEMA_DIAGNOSTICS = 50;

registerMessages({
  'schema/too-many': {
    severity: 'error',
    fr: (p) => [
      `${list(p.more)} autre(s) erreur(s) de schéma non affichée(s).`,
      'Corrigez les premières erreurs, ou vérifiez qu’il s’agit du bon fichier.',
    ],
    en: (p) => [
      `${list(p.more)} more schema error(s) not shown.`,
      'Fix the first errors, or check that this is the right file.',
    ],
  },
  'schema/required': {
    severity: 'error',
    fr: (p) => [
      `Propriété obligatoire « ${list(p.property)} » manquante.`,
      `Ajoutez « ${list(p.property)}: … » à cet endroit.`,
    ],
    en: (p) => [
      `Required property "${list(p.property)}" is missing.`,
      `Add "${list(p.property)}: …" here.`,
    ],
  },
  'schema/unknown-property': {
    severity: 'error',
    fr: (p) => [
      `Propriété inconnue « ${list(p.property)} »${p.suggestion ? ` : vouliez-vous dire « ${list(p.suggestion)} » ?` : '.'}`,
      p.allowed
        ? `Vérifiez l’orthographe ; propriétés possibles ici : ${list(p.allowed)}.`
        : 'Supprimez-la.',
    ],
    en: (p) => [
      `Unknown property "${list(p.property)}"${p.suggestion ? `: did you mean "${list(p.suggestion)}"?` : '.'}`,
      p.allowed ? `Check the spelling; properties allowed here: ${list(p.allowed)}.` : 'Remove it.',
    ],
  },
  'schema/type': {
    severity: 'error',
    fr: (p) => [
      `Type incorrect : on attend ${list(p.expectedFr)}, pas ${list(p.actualFr)}.`,
      p.expected === 'string'
        ? 'Mettez la valeur entre guillemets, par exemple "1.0" ou "2025-06-12".'
        : `Remplacez la valeur par ${list(p.expectedFr)}.`,
    ],
    en: (p) => [
      `Wrong type: ${list(p.expectedEn)} is expected, not ${list(p.actualEn)}.`,
      p.expected === 'string'
        ? 'Put the value in quotes, for example "1.0" or "2025-06-12".'
        : `Replace the value with ${list(p.expectedEn)}.`,
    ],
  },
  'schema/enum': {
    severity: 'error',
    fr: (p) => [
      `Valeur « ${list(p.value)} » non permise.`,
      `Valeurs possibles : ${list(p.allowed)}.`,
    ],
    en: (p) => [`Value "${list(p.value)}" is not allowed.`, `Allowed values: ${list(p.allowed)}.`],
  },
  'schema/format': {
    severity: 'error',
    fr: (p) => [
      `Valeur « ${list(p.value)} » au mauvais format.`,
      p.description ? `Attendu : ${list(p.description)}` : `Format attendu : ${list(p.pattern)}.`,
    ],
    en: (p) => [
      `Value "${list(p.value)}" has the wrong format.`,
      p.description ? `Expected: ${list(p.description)}` : `Expected format: ${list(p.pattern)}.`,
    ],
  },
  'schema/range': {
    severity: 'error',
    fr: (p) => [`Valeur hors limites : ${list(p.detailFr)}.`, 'Corrigez la valeur.'],
    en: (p) => [`Value out of range: ${list(p.detailEn)}.`, 'Correct the value.'],
  },
  'schema/invalid': {
    severity: 'error',
    fr: (p) => [`Valeur invalide (${list(p.keyword)}).`, list(p.detail) || 'Corrigez la valeur.'],
    en: (p) => [`Invalid value (${list(p.keyword)}).`, list(p.detail) || 'Correct the value.'],
  },
});

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

function preview(value: unknown): string {
  const raw = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  // Control characters (NUL…) are shown, not printed.
  const text = raw.replace(
    // eslint-disable-next-line no-control-regex -- matching them is the point
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length > 60 ? text.slice(0, 57) + '…' : text;
}

const umbrella = new Set(['if', 'anyOf', 'oneOf', 'allOf', 'not', 'then', 'else']);

/** Turn one ajv error into a rule id, parameters, pointer and whether to point at the key. */
function translate(
  error: ErrorObject,
): { ruleId: string; params: Params; pointer: string; atKey: boolean } | undefined {
  // (params is reassigned by mergeMisspellings to add a suggestion)
  const { keyword, params } = error;
  // An error about a key itself (propertyNames) is placed on that key.
  const propertyName = error.propertyName;
  if (keyword === 'propertyNames') return undefined;
  const instancePath =
    propertyName !== undefined
      ? `${error.instancePath}/${encodeSegment(propertyName)}`
      : error.instancePath;
  const parent = (error.parentSchema ?? {}) as {
    properties?: Record<string, unknown>;
    description?: string;
  };
  switch (keyword) {
    case 'required': {
      const property = (params as { missingProperty: string }).missingProperty;
      return {
        ruleId: 'schema/required',
        params: { property },
        pointer: instancePath,
        atKey: true,
      };
    }
    case 'additionalProperties': {
      const property = (params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(parent.properties ?? {}).join(', ');
      return {
        ruleId: 'schema/unknown-property',
        params: { property, allowed },
        pointer: `${instancePath}/${encodeSegment(property)}`,
        atKey: true,
      };
    }
    case 'type': {
      const expected = String((params as { type: string | string[] }).type).split(',')[0] ?? '';
      const actual = typeOf(error.data) === 'integer' ? 'number' : typeOf(error.data);
      return {
        ruleId: 'schema/type',
        params: {
          expected,
          expectedFr: typeNames[expected]?.fr ?? expected,
          expectedEn: typeNames[expected]?.en ?? expected,
          actualFr: typeNames[actual]?.fr ?? actual,
          actualEn: typeNames[actual]?.en ?? actual,
        },
        pointer: instancePath,
        atKey: false,
      };
    }
    case 'enum':
    case 'const': {
      const values =
        keyword === 'enum'
          ? (params as { allowedValues: unknown[] }).allowedValues
          : [(params as { allowedValue: unknown }).allowedValue];
      return {
        ruleId: 'schema/enum',
        params: { value: preview(error.data), allowed: values.map(String).join(', ') },
        pointer: instancePath,
        atKey: false,
      };
    }
    case 'pattern':
      return {
        ruleId: 'schema/format',
        params: {
          value: preview(propertyName ?? error.data),
          pattern: (params as { pattern: string }).pattern,
          description: parent.description,
        },
        pointer: instancePath,
        atKey: propertyName !== undefined,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems': {
      const limit = (params as { limit: number }).limit;
      const fr: Record<string, string> = {
        minimum: `au moins ${limit}`,
        maximum: `au plus ${limit}`,
        exclusiveMinimum: `strictement plus de ${limit}`,
        exclusiveMaximum: `strictement moins de ${limit}`,
        minLength: limit === 1 ? 'le texte ne peut pas être vide' : `au moins ${limit} caractères`,
        maxLength: `au plus ${limit} caractères`,
        minItems: `au moins ${limit} élément(s)`,
        maxItems: `au plus ${limit} éléments`,
      };
      const en: Record<string, string> = {
        minimum: `at least ${limit}`,
        maximum: `at most ${limit}`,
        exclusiveMinimum: `more than ${limit}`,
        exclusiveMaximum: `less than ${limit}`,
        minLength: limit === 1 ? 'the text cannot be empty' : `at least ${limit} characters`,
        maxLength: `at most ${limit} characters`,
        minItems: `at least ${limit} item(s)`,
        maxItems: `at most ${limit} items`,
      };
      return {
        ruleId: 'schema/range',
        params: { detailFr: fr[keyword], detailEn: en[keyword] },
        pointer: instancePath,
        atKey: false,
      };
    }
    default:
      if (umbrella.has(keyword)) return undefined;
      return {
        ruleId: 'schema/invalid',
        params: { keyword, detail: error.message },
        pointer: instancePath,
        atKey: false,
      };
  }
}

/** Edit distance, for "did you mean" on misspelt keys. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  // Close enough to be a typo, and not a rewrite of a short word ("<<" is not "id").
  let bestDistance = Math.min(Math.max(2, Math.floor(word.length / 3)), word.length - 1) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

type Translated = NonNullable<ReturnType<typeof translate>>;

/**
 * A misspelt key gives two ajv errors: the unknown key and the missing one. Keep one, at the
 * misspelt key, suggesting the right name.
 */
function mergeMisspellings(items: Translated[]): Translated[] {
  const dropped = new Set<Translated>();
  for (const unknown of items) {
    if (unknown.ruleId !== 'schema/unknown-property') continue;
    const property = String(unknown.params.property);
    const parent = unknown.pointer.slice(0, unknown.pointer.lastIndexOf('/'));
    const allowed = String(unknown.params.allowed ?? '')
      .split(', ')
      .filter(Boolean);
    const missing = items.filter(
      (r) => r.ruleId === 'schema/required' && r.pointer === parent && !dropped.has(r),
    );
    const missingNames = missing.map((m) => String(m.params.property));
    const suggestion = closest(property, missingNames) ?? closest(property, allowed);
    if (suggestion) {
      unknown.params = { ...unknown.params, suggestion };
      for (const m of missing) if (m.params.property === suggestion) dropped.add(m);
    }
  }
  return items.filter((i) => !dropped.has(i));
}

/** Validate a parsed file against its kind's schema; each error placed on its YAML node. */
export function validateSchema(source: SourceFile, kind: FileKind, lang: Lang): Diagnostic[] {
  const errors = schemaErrors(kind, source.value);
  const out: Diagnostic[] = [];
  const translated: Translated[] = [];
  for (const error of errors) {
    const t = translate(error);
    if (t) translated.push(t);
  }
  // A file with thousands of errors is the wrong file, not thousands of problems: report the
  // first ones and how many more (also keeps placing them linear).
  const more = translated.length - MAX_SCHEMA_DIAGNOSTICS;
  const firstHidden = translated[MAX_SCHEMA_DIAGNOSTICS];
  if (more > 0) translated.length = MAX_SCHEMA_DIAGNOSTICS;
  for (const t of mergeMisspellings(translated)) {
    const range = locateIn(source, t.pointer, t.atKey);
    out.push(
      diagnostic(lang, t.ruleId, t.params, { file: source.path, ...range, pointer: t.pointer }),
    );
  }
  if (more > 0 && firstHidden) {
    const range = locateIn(source, firstHidden.pointer, firstHidden.atKey);
    out.push(diagnostic(lang, 'schema/too-many', { more }, { file: source.path, ...range }));
  }
  return out;
}

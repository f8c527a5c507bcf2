import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** The kinds of file certif reads, one JSON Schema each. */
export type FileKind = 'referential' | 'session' | 'evaluation' | 'deliberation';

/** Folder holding the JSON Schemas shipped with certif. */
export const schemasDir = new URL('../../schemas/', import.meta.url);

const fileNames: Record<FileKind, string> = {
  referential: 'referential.schema.json',
  session: 'session.schema.json',
  evaluation: 'evaluation.schema.json',
  deliberation: 'deliberation.schema.json',
};

let ajv: Ajv2020 | undefined;
const compiled = new Map<FileKind, ValidateFunction>();

/** The `$id` of a kind's schema, for the `# yaml-language-server` line of written files. */
export function schemaFileName(kind: FileKind): string {
  return fileNames[kind];
}

/** The compiled validator of a file kind (compiled once per process, on first use). */
export function validatorFor(kind: FileKind): ValidateFunction {
  let validate = compiled.get(kind);
  if (!validate) {
    ajv ??= new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
      verbose: true,
      ownProperties: true,
      allowUnionTypes: true,
    });
    const schema = JSON.parse(readFileSync(new URL(fileNames[kind], schemasDir), 'utf8')) as object;
    validate = ajv.compile(schema);
    compiled.set(kind, validate);
  }
  return validate;
}

/** Validate a value against a kind's schema; the raw ajv errors, empty when valid. */
export function schemaErrors(kind: FileKind, value: unknown): ErrorObject[] {
  const validate = validatorFor(kind);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

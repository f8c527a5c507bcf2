import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { loadCachedScript } from '../runtime/cached-script.js';
import { ajvOptions, schemaFiles, type FileKind } from './options.js';

export type { FileKind } from './options.js';

/** Folder holding the JSON Schemas shipped with certif. */
export const schemasDir = new URL('../../schemas/', import.meta.url);

/**
 * Validators compiled at build time (`scripts/build-validators.mjs`), in the bundle as a script
 * loaded with its V8 code cache (see cached-script.ts); absent when running from the sources
 * (tests) or from dist/ unbundled, where schemas are compiled on first use.
 */
const standalone = loadCachedScript(new URL('./validators.script.js', import.meta.url)) as
  Partial<Record<FileKind, ValidateFunction>> | undefined;

let ajv: Ajv2020 | undefined;
const compiled = new Map<FileKind, ValidateFunction>();

/** The schema file name of a kind, for the `# yaml-language-server` line of written files. */
export function schemaFileName(kind: FileKind): string {
  return schemaFiles[kind];
}

/** The validator of a file kind: prebuilt, or compiled once per process on first use. */
export function validatorFor(kind: FileKind): ValidateFunction {
  let validate = compiled.get(kind) ?? standalone?.[kind];
  if (!validate) {
    // ajv itself is loaded only without prebuilt validators (about 50 ms of start-up).
    const { Ajv2020: Ajv } = createRequire(import.meta.url)('ajv/dist/2020.js') as {
      Ajv2020: typeof Ajv2020;
    };
    ajv ??= new Ajv(ajvOptions);
    const schema = JSON.parse(
      readFileSync(new URL(schemaFiles[kind], schemasDir), 'utf8'),
    ) as object;
    validate = ajv.compile(schema);
  }
  compiled.set(kind, validate);
  return validate;
}

/** Validate a value against a kind's schema; the raw ajv errors, empty when valid. */
export function schemaErrors(kind: FileKind, value: unknown): ErrorObject[] {
  const validate = validatorFor(kind);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

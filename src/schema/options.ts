/** The kinds of file certif reads, one JSON Schema each. */
export type FileKind = 'referential' | 'session' | 'evaluation' | 'deliberation' | 'entry';

/** Schema file of each kind, in `schemas/`. */
export const schemaFiles: Record<FileKind, string> = {
  referential: 'referential.schema.json',
  session: 'session.schema.json',
  evaluation: 'evaluation.schema.json',
  deliberation: 'deliberation.schema.json',
  entry: 'entry.schema.json',
};

/**
 * ajv options, shared by the runtime compiler and the build-time standalone validators:
 * every error (allErrors), with its schema (verbose) for messages, own properties only (so
 * `required: [toString]` is not met by `{}`), strict.
 */
export const ajvOptions = {
  allErrors: true,
  strict: true,
  strictRequired: false,
  verbose: true,
  ownProperties: true,
  allowUnionTypes: true,
} as const;

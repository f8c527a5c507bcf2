import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import type { Referential } from '../model/types.js';
import { checkReferential } from '../rules/referential.js';
import { ruleContext } from '../rules/context.js';
import type { FileKind } from '../schema/registry.js';
import type { SourceFile } from '../source/parse.js';
import { loadFile } from './load.js';

/** A file to check. */
export interface FileRef {
  readonly abs: string;
  readonly display: string;
  readonly kind: FileKind;
}

/** A checked file: its source and value when sound, and every diagnostic on it. */
export interface CheckedFile extends FileRef {
  readonly source?: SourceFile;
  readonly value?: unknown;
  readonly diagnostics: Diagnostic[];
}

/** Options of a check run. */
export interface CheckOptions {
  readonly lang: Lang;
  readonly cwd: string;
}

/**
 * Check files: each one alone (syntax, schema, its own rules), then the rules across files.
 * Never throws on bad input.
 */
export async function checkProject(
  files: readonly FileRef[],
  options: CheckOptions,
): Promise<CheckedFile[]> {
  const { lang } = options;
  const loaded = await Promise.all(
    files.map(async (f) => {
      const l = await loadFile<unknown>(f.abs, f.display, f.kind, lang);
      return { ...f, ...l, diagnostics: [...l.diagnostics] };
    }),
  );
  for (const file of loaded) {
    if (file.value === undefined || !file.source) continue;
    const ctx = ruleContext(lang);
    if (file.kind === 'referential') checkReferential(ctx, file.source, file.value as Referential);
    file.diagnostics.push(...ctx.diagnostics);
  }
  return loaded;
}

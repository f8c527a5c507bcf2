import path from 'node:path';
import type { Document } from 'yaml';
import { InvalidFilesError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import type { Session } from '../model/session.js';
import { ruleContext } from '../rules/context.js';
import { checkSession } from '../rules/session.js';
import { validateSchema } from '../schema/diagnostics.js';
import { lockForCommand, ownerText } from '../source/lock.js';
import { documentText } from '../source/edit.js';
import { parseYamlText } from '../source/parse.js';
import { cleanOrphanTemps } from '../source/write.js';
import { checkPinnedReferential } from './check.js';
import { assertInsideProject } from './confine.js';
import { displayPath } from './files.js';
import { readText } from './load.js';
import type { LoadedReferential } from './referentials.js';
import { withSchemaLine, writeProjectFile } from './schema-line.js';

/** Errors a session text would have once written (schema, référentiel pin, session rules). */
export function checkSessionText(
  text: string,
  display: string,
  folderName: string,
  available: readonly LoadedReferential[],
  lang: Lang,
): Diagnostic[] {
  const parsed = parseYamlText(display, text, lang);
  if (!parsed.source) return parsed.diagnostics;
  const schema = validateSchema(parsed.source, 'session', lang);
  if (schema.length > 0) return schema;
  const ctx = ruleContext(lang);
  const session = parsed.source.value as Session;
  const ref = checkPinnedReferential(ctx, parsed.source, session, available);
  checkSession(ctx, parsed.source, session, ref, folderName);
  return ctx.diagnostics.filter((d) => d.severity === 'error');
}

/**
 * Edit session.yaml under its lock: read it fresh, apply `mutate` to its Document (comments and
 * key order kept), check the result, write it atomically. Nothing is written when the result
 * would be invalid.
 */
export async function editSessionFile(
  file: string,
  options: {
    cwd: string;
    lang: Lang;
    now: Date;
    who: string;
    available: readonly LoadedReferential[];
  },
  mutate: (doc: Document) => void,
): Promise<void> {
  const { cwd, lang } = options;
  const display = displayPath(file, cwd);
  // sessions/<id>/session.yaml: the project root is two folders up, as openSession has it.
  const root = path.resolve(path.dirname(file), '..', '..');
  assertInsideProject(root, file, lang, cwd);
  const lock = await lockForCommand(file, options.who, options.now, (o) => ({
    message: pick(
      lang,
      `${display} est en cours de modification${ownerText(o, 'fr')}.`,
      `${display} is being edited${ownerText(o, 'en')}.`,
    ),
    hint: pick(
      lang,
      'Réessayez dans un instant : rien n’a été écrit.',
      'Try again in a moment: nothing was written.',
    ),
  }));
  try {
    await cleanOrphanTemps(path.dirname(file));
    const read = await readText(file, display, lang);
    if (read.text === undefined) throw new InvalidFilesError(display, read.diagnostics);
    const parsed = parseYamlText(display, read.text, lang);
    if (!parsed.source)
      throw new InvalidFilesError(
        pick(lang, `session illisible : ${display}`, `unreadable session: ${display}`),
        parsed.diagnostics,
      );
    const doc = parsed.source.doc;
    mutate(doc);
    const text = withSchemaLine(documentText(doc), root, path.dirname(file), 'session');
    const errors = checkSessionText(
      text,
      display,
      path.basename(path.dirname(file)),
      options.available,
      lang,
    );
    if (errors.length > 0) {
      throw new InvalidFilesError(
        pick(
          lang,
          `modification refusée, rien n’a été écrit : ${display}`,
          `change refused, nothing was written: ${display}`,
        ),
        errors,
      );
    }
    await writeProjectFile(root, file, text, lang, cwd);
  } finally {
    await lock.release();
  }
}

import type { Document } from 'yaml';
import { InvalidFilesError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Diagnostic, Lang } from '../diagnostics/diagnostic.js';
import type { Result } from '../model/session.js';
import { parseYamlText, type SourceFile } from '../source/parse.js';
import { pathKind } from './files.js';
import { readText } from './load.js';

/**
 * The file held open was changed by hand and no longer reads or checks: the command stops
 * (exit 1) rather than write over it, even in a terminal session that shows other refusals and
 * goes on.
 */
export class ChangedFileError extends InvalidFilesError {}

/** The file as it now stands on disk, when someone changed it since certif last read or wrote it. */
export interface Reread {
  readonly doc: Document;
  /** What to tell the user: the file changed and was re-read, its edit kept. */
  readonly notice: string;
}

/**
 * A file certif holds open for writing (evaluation or juror's entry), with the text it last read
 * or wrote there: a hand edit made while `certif grade` is open must not be overwritten by the
 * document held in memory since.
 */
export class HeldFile {
  /**
   * @param known The text certif read; undefined while the file does not exist yet.
   * @param check The errors a text would have as this kind of file (schema and rules).
   */
  constructor(
    readonly file: string,
    readonly display: string,
    readonly lang: Lang,
    private known: string | undefined,
    private readonly check: (source: SourceFile) => Diagnostic[],
  ) {}

  /**
   * Before a write, read the file again. Returns its current document when the text changed
   * (the caller builds its edit on it), undefined when it did not. A file that no longer reads
   * or checks stops the write: the error names file, line and column, and repeats `typed` (the
   * answer being recorded) so that it is not lost.
   */
  async reread(typed: string): Promise<Reread | undefined> {
    const { file, display, lang } = this;
    // Removed by hand: the document in memory holds every answer given; writing it back loses none.
    if ((await pathKind(file)) === 'missing') return undefined;
    const read = await readText(file, display, lang);
    if (read.text !== undefined && read.text === this.known) return undefined;
    const parsed = read.text === undefined ? undefined : parseYamlText(display, read.text, lang);
    const errors =
      read.text === undefined
        ? read.diagnostics
        : parsed?.source
          ? this.check(parsed.source)
          : (parsed?.diagnostics ?? []);
    if (read.text === undefined || !parsed?.source || errors.length > 0) {
      throw new ChangedFileError(
        pick(
          lang,
          `${display} a été modifié hors de certif et n’est plus valide : rien n’a été écrit. Corrigez le fichier, puis reportez votre réponse : ${typed}`,
          `${display} was changed outside certif and is no longer valid: nothing was written. Fix the file, then enter your answer again: ${typed}`,
        ),
        errors,
      );
    }
    this.known = read.text;
    return {
      doc: parsed.source.doc,
      notice: pick(
        lang,
        `${display} a été modifié hors de certif : relu, ses modifications sont conservées.`,
        `${display} was changed outside certif: re-read, its changes are kept.`,
      ),
    };
  }

  /** Record the text certif just wrote. */
  wrote(text: string): void {
    this.known = text;
  }
}

/** The answers being recorded, as the user would type them again: `C1=acquis, C5=non_acquis "…"`. */
export function typedAnswers(updates: Readonly<Record<string, Result>>, action?: string): string {
  const parts = Object.entries(updates).map(
    ([id, r]) => `${id}=${r.verdict}${r.observation ? ` "${r.observation}"` : ''}`,
  );
  if (action) parts.push(action);
  return parts.join(', ') || '—';
}

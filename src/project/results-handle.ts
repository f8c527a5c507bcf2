import path from 'node:path';
import type { Document } from 'yaml';
import { yamlLib } from '../source/yaml-lib.js';
import { InvalidFilesError, type InputError } from '../cli/errors.js';
import { pick } from '../cli/lang.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { propose, type Proposal } from '../model/decide.js';
import {
  toResult,
  toResultValue,
  verdicts,
  type Candidate,
  type Result,
  type ResultValue,
} from '../model/session.js';
import { competenciesOf, type GradedUnit } from '../model/types.js';
import { documentText, setKeepingComments } from '../source/edit.js';
import type { Lock } from '../source/lock.js';
import type { FileKind } from '../schema/registry.js';
import { displayPath } from './files.js';
import { typedAnswers, type HeldFile } from './reread.js';
import { withSchemaLine, writeProjectFile } from './schema-line.js';
import type { SessionContext } from './session.js';

/**
 * A results file open for writing — a joint evaluation or a juror's entry: holds the file's lock
 * until closed, records answers in the référentiel's order, and never writes a text that fails its
 * checks, nor over a hand edit made while it was open.
 */
export abstract class ResultsHandle<V extends { readonly results: Record<string, ResultValue> }> {
  /**
   * Set when the last write found the file changed by hand since certif read or wrote it: the
   * edit was built on the file as it stood, and this says so to the user.
   */
  rereadNotice: string | undefined;

  protected constructor(
    readonly ctx: SessionContext,
    readonly candidate: Candidate,
    readonly unit: GradedUnit,
    readonly file: string,
    protected doc: Document,
    protected readonly lock: Lock,
    private readonly held: HeldFile,
  ) {}

  /** The file's kind, for its schema line. */
  protected abstract readonly kind: FileKind;

  /** Whether the file no longer takes answers (a final evaluation, a submitted entry). */
  abstract get isFinal(): boolean;

  /** Why an answer is refused once the file is final, and what to do instead. */
  protected abstract finalError(): InputError;

  /** The errors of a text about to be written (YAML, schema, rules); none to write it. */
  protected abstract check(text: string, display: string): Diagnostic[];

  /** The file as it stands. */
  get value(): V {
    return this.doc.toJS() as V;
  }

  /** Results by competency id. */
  results(): Record<string, Result> {
    const out: Record<string, Result> = {};
    for (const [id, v] of Object.entries(this.value.results)) out[id] = toResult(v);
    return out;
  }

  /** Competency ids of the unit, in order. */
  get competencyIds(): string[] {
    return competenciesOf(this.unit).map((c) => c.id);
  }

  /** The proposal under the unit's rule. */
  proposal(): Proposal {
    return propose(this.competencyIds, verdicts(this.value.results), this.unit.validation);
  }

  /** Record results (one or many) in one atomic write, after checking the whole file. */
  async record(updates: Readonly<Record<string, Result>>): Promise<void> {
    const next = await this.nextDocument(updates);
    this.orderResults(next);
    await this.commit(next);
  }

  /**
   * The document the next write starts from, with `updates` set in it: the file re-read first
   * should it have been edited by hand, and refused once final.
   */
  protected async nextDocument(
    updates: Readonly<Record<string, Result>>,
    action?: string,
  ): Promise<Document> {
    await this.refresh(typedAnswers(updates, action));
    if (this.isFinal) throw this.finalError();
    const next = this.doc.clone();
    for (const [id, result] of Object.entries(updates)) {
      setKeepingComments(next, ['results', id], toResultValue(result));
    }
    return next;
  }

  /** Results in the référentiel's order (answers may come in any order; diffs stay readable). */
  protected orderResults(doc: Document): void {
    const results = doc.get('results', true);
    if (!yamlLib().isMap(results)) return;
    results.flow = false;
    const rank = new Map(this.competencyIds.map((id, i) => [id, i]));
    const key = (p: unknown) => {
      const k = (p as { key?: unknown }).key;
      return rank.get(String(yamlLib().isScalar(k) ? k.value : k)) ?? Number.MAX_SAFE_INTEGER;
    };
    results.items.sort((a, b) => key(a) - key(b));
  }

  /** Check the new document (schema and rules); write it atomically; keep it. */
  protected async commit(next: Document): Promise<void> {
    // A schema line written by an older certif (a path of its machine) is set to the project's.
    const text = withSchemaLine(
      documentText(next),
      this.ctx.root,
      path.dirname(this.file),
      this.kind,
    );
    const display = displayPath(this.file, this.ctx.cwd);
    const diagnostics = this.check(text, display);
    if (diagnostics.length > 0) {
      throw new InvalidFilesError(
        pick(
          this.ctx.lang,
          `saisie refusée, rien n’a été écrit : ${display}`,
          `entry refused, nothing was written: ${display}`,
        ),
        diagnostics,
      );
    }
    await writeProjectFile(this.ctx.root, this.file, text, this.ctx.lang, this.ctx.cwd);
    this.doc = next;
    this.held.wrote(text);
  }

  /** Build the next write on the file as it stands now, should it have been edited by hand. */
  protected async refresh(typed: string): Promise<void> {
    const fresh = await this.held.reread(typed);
    this.rereadNotice = fresh?.notice;
    if (fresh) this.doc = fresh.doc;
  }
}

import type { Diagnostic, Lang, Severity } from '../diagnostics/diagnostic.js';
import { diagnostic, type Params } from '../diagnostics/messages.js';
import { locateIn, type SourceFile } from '../source/parse.js';

/** What a rule needs to report a problem at a JSON pointer of a file. */
export interface RuleContext {
  readonly lang: Lang;
  report(
    source: SourceFile,
    ruleId: string,
    params: Params,
    pointer: string,
    options?: { atKey?: boolean; severity?: Severity },
  ): void;
  /** The 1-based line of a pointer's node. */
  lineOf(source: SourceFile, pointer: string): number;
  readonly diagnostics: Diagnostic[];
}

/** A context collecting diagnostics in an array. */
export function ruleContext(lang: Lang, options: { positions?: boolean } = {}): RuleContext {
  // Without positions, nothing is located: a quick "is it valid?" skips building YAML trees.
  const positions = options.positions ?? true;
  const diagnostics: Diagnostic[] = [];
  return {
    lang,
    diagnostics,
    lineOf(source, pointer) {
      return positions ? locateIn(source, pointer).line : 1;
    },
    report(source, ruleId, params, pointer, options = {}) {
      const range = positions
        ? locateIn(source, pointer, options.atKey ?? false)
        : { line: 1, column: 1 };
      diagnostics.push(
        diagnostic(
          lang,
          ruleId,
          params,
          { file: source.path, ...range, pointer },
          options.severity,
        ),
      );
    },
  };
}

/** Report every id seen twice in a list, at the second occurrence. */
export function checkUnique(
  ctx: RuleContext,
  source: SourceFile,
  items: readonly { id: string }[],
  basePointer: string,
  what: { fr: string; en: string },
  ruleId = 'referential/duplicate-id',
): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const first = seen.get(item.id);
    if (first !== undefined) {
      ctx.report(
        source,
        ruleId,
        {
          id: item.id,
          whatFr: what.fr,
          whatEn: what.en,
          first: ctx.lineOf(source, `${basePointer}/${first}/id`),
        },
        `${basePointer}/${index}/id`,
      );
    } else {
      seen.set(item.id, index);
    }
  });
}

/** Severity of a diagnostic: errors fail validation, warnings fail with --strict, info never fails. */
export type Severity = 'error' | 'warning' | 'info';

/** Supported languages for messages and documents. */
export type Lang = 'fr' | 'en';

/** One problem found in one file: the single shape every stage reports. */
export interface Diagnostic {
  /** Stable rule id such as `jury/min-independent`. */
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  /** What to do about it. */
  readonly hint?: string;
  /** Path as shown to the user (relative POSIX where possible). */
  readonly file: string;
  /** 1-based position. */
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /** JSON pointer of the offending value, when there is one. */
  readonly pointer?: string;
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Sort by file, line, column, rule, message and drop exact duplicates, so output is deterministic. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const sorted = [...diagnostics].sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      severityRank[a.severity] - severityRank[b.severity] ||
      cmp(a.ruleId, b.ruleId) ||
      cmp(a.message, b.message),
  );
  const out: Diagnostic[] = [];
  let prevKey = '';
  for (const d of sorted) {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.ruleId}\0${d.message}`;
    if (key !== prevKey) out.push(d);
    prevKey = key;
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts per severity. */
export function countBySeverity(diagnostics: readonly Diagnostic[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity] += 1;
  return counts;
}

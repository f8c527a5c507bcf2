import { countBySeverity, type Diagnostic, type Lang } from '../diagnostics/diagnostic.js';

/** Colours for people on a terminal (chalk), or none. */
export interface Style {
  red(s: string): string;
  redBold(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  underline(s: string): string;
}

const plain = (s: string) => s;

/** No colours: for files, pipes, json and github output, and NO_COLOR. */
export const noStyle: Style = {
  red: plain,
  redBold: plain,
  yellow: plain,
  blue: plain,
  green: plain,
  dim: plain,
  underline: plain,
};

/** Terminal colours, loading chalk only when they are wanted. */
export async function terminalStyle(): Promise<Style> {
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return {
    red: (s) => c.red(s),
    redBold: (s) => c.red.bold(s),
    yellow: (s) => c.yellow(s),
    blue: (s) => c.blue(s),
    green: (s) => c.green(s),
    dim: (s) => c.dim(s),
    underline: (s) => c.underline(s),
  };
}

/** What a reporter knows besides the diagnostics. */
export interface ReportContext {
  readonly lang: Lang;
  /** Colours; none when absent. */
  readonly style?: Style;
  /** Number of files checked. */
  readonly files: number;
  readonly strict: boolean;
}

/** A pure formatter. */
export type Reporter = (diagnostics: readonly Diagnostic[], ctx: ReportContext) => string;

const words = {
  fr: {
    error: 'erreur',
    warning: 'avertissement',
    info: 'info',
    errors: (n: number) => `${n} erreur${n > 1 ? 's' : ''}`,
    warnings: (n: number) => `${n} avertissement${n > 1 ? 's' : ''}`,
    infos: (n: number) => `${n} info${n > 1 ? 's' : ''}`,
    files: (n: number) => `${n} fichier${n > 1 ? 's' : ''}`,
    ok: (n: string) => `${n} vérifié(s), aucun problème.`,
    in: 'dans',
  },
  en: {
    error: 'error',
    warning: 'warning',
    info: 'info',
    errors: (n: number) => `${n} error${n === 1 ? '' : 's'}`,
    warnings: (n: number) => `${n} warning${n === 1 ? '' : 's'}`,
    infos: (n: number) => `${n} info${n === 1 ? '' : 's'}`,
    files: (n: number) => `${n} file${n === 1 ? '' : 's'}`,
    ok: (n: string) => `${n} checked, no problems.`,
    in: 'in',
  },
} as const;

/** eslint-like output for people: `file:line:col  severity  message  (rule)` and a hint. */
export const stylish: Reporter = (diagnostics, ctx) => {
  const c = ctx.style ?? noStyle;
  const w = words[ctx.lang];
  const lines: string[] = [];
  for (const d of diagnostics) {
    const sev =
      d.severity === 'error'
        ? c.red(w.error)
        : d.severity === 'warning'
          ? c.yellow(w.warning)
          : c.blue(w.info);
    lines.push(
      `${c.underline(`${d.file}:${d.line}:${d.column}`)}  ${sev}  ${d.message}  ${c.dim(`(${d.ruleId})`)}`,
    );
    if (d.hint) lines.push(`  ${c.dim('→')} ${d.hint}`);
  }
  const n = countBySeverity(diagnostics);
  const failing = n.error > 0 || (ctx.strict && n.warning > 0);
  if (n.error + n.warning + n.info === 0) {
    lines.push(c.green(`✔ ${w.ok(w.files(ctx.files))}`));
  } else {
    const parts = [w.errors(n.error), w.warnings(n.warning), w.infos(n.info)].join(', ');
    const summary = `${failing ? '✖' : '✔'} ${parts} ${w.in} ${w.files(ctx.files)}`;
    if (lines.length > 0) lines.push('');
    lines.push(failing ? c.redBold(summary) : c.green(summary));
  }
  return lines.join('\n') + '\n';
};

/** Stable JSON for tools. */
export const json: Reporter = (diagnostics, ctx) => {
  const n = countBySeverity(diagnostics);
  return (
    JSON.stringify(
      {
        version: 1,
        files: ctx.files,
        summary: { errors: n.error, warnings: n.warning, infos: n.info },
        diagnostics: diagnostics.map((d) => ({
          file: d.file,
          line: d.line,
          column: d.column,
          endLine: d.endLine ?? d.line,
          endColumn: d.endColumn ?? d.column,
          severity: d.severity,
          ruleId: d.ruleId,
          message: d.message,
          hint: d.hint ?? null,
          pointer: d.pointer ?? null,
        })),
      },
      null,
      2,
    ) + '\n'
  );
};

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands: annotations on the changed files. */
export const github: Reporter = (diagnostics) =>
  diagnostics
    .map((d) => {
      const command =
        d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
      const props = [
        `file=${escapeProperty(d.file)}`,
        `line=${d.line}`,
        `col=${d.column}`,
        `endLine=${d.endLine ?? d.line}`,
        `endColumn=${d.endColumn ?? d.column}`,
        `title=${escapeProperty(d.ruleId)}`,
      ].join(',');
      const text = d.hint ? `${d.message}\n${d.hint}` : d.message;
      return `::${command} ${props}::${escapeData(text)}\n`;
    })
    .join('');

/** Reporters by `--format` name. */
export const reporters = { stylish, json, github } as const satisfies Record<string, Reporter>;
export type ReporterName = keyof typeof reporters;

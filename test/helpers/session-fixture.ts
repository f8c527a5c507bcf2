import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { runBinary, runInProcess, type RunResult } from './cli.js';

/** A juror as written in session.yaml. */
export interface FixtureJuror {
  readonly id: string;
  readonly name: string;
  readonly independent: boolean;
}

/** A candidate row of the import CSV. */
export interface FixtureCandidate {
  readonly id: string;
  readonly nom: string;
  readonly prenom: string;
  readonly blocs: readonly string[];
  readonly amenagements?: readonly string[];
}

/** What a fixture session is made of. */
export interface SessionFixtureOptions {
  readonly jurors?: readonly FixtureJuror[];
  /** Bloc id → juror ids; written in flow style (`BC01: [a, b]`). */
  readonly juries?: Readonly<Record<string, readonly string[]>>;
  readonly candidates?: readonly FixtureCandidate[];
}

/** A temporary project holding one session `sessions/s1`, ready to grade. */
export interface SessionFixture {
  /** The project folder (parent of `sessions/` and `referentials/`). */
  readonly root: string;
  /** `sessions/s1`, absolute. */
  readonly dir: string;
  /** `sessions/s1/session.yaml`, absolute. */
  readonly sessionFile: string;
  /** Run certif in-process; cwd defaults to the project folder. */
  run(argv: readonly string[], cwd?: string): Promise<RunResult>;
  /** Run the built binary; cwd defaults to the project folder. */
  bin(argv: readonly string[], cwd?: string): Promise<RunResult>;
  /** Absolute path of an evaluation file. */
  evalFile(candidate: string, bloc: string): string;
  /** An absolute path inside the project. */
  abs(rel: string): string;
  read(rel: string): string;
  write(rel: string, text: string): void;
  /** Parse an evaluation file as plain data. */
  evaluation(candidate: string, bloc: string): FixtureEvaluation;
  /** Remove the project folder. */
  cleanup(): void;
}

/** An evaluation file as plain data (what the tests look at). */
export interface FixtureEvaluation {
  candidate: string;
  bloc: string;
  session: string;
  date?: string;
  jurors?: string[];
  status: 'draft' | 'final';
  results: Record<string, string | { verdict: string; observation?: string }>;
  hash?: string;
  finalized?: { by: string[]; at: string };
  amendments?: {
    competency: string;
    from?: unknown;
    to: unknown;
    by: string;
    at: string;
    reason: string;
    previous_hash: string;
  }[];
}

/** The default jurors: one independent, two from the centre. */
export const defaultJurors: readonly FixtureJuror[] = [
  { id: 'jdupont', name: 'Jeanne Dupont', independent: true },
  { id: 'pmartin', name: 'Paul Martin', independent: false },
  { id: 'lbernard', name: 'Lucie Bernard', independent: false },
  { id: 'sleroy', name: 'Sophie Leroy', independent: true },
];

/** The default juries: a valid jury for every unit of relation-client. */
export const defaultJuries: Readonly<Record<string, readonly string[]>> = {
  BC01: ['jdupont', 'pmartin'],
  BC02: ['jdupont', 'lbernard'],
  BC03: ['sleroy', 'pmartin'],
  PP: ['jdupont', 'pmartin'],
};

/** The default candidates. */
export const defaultCandidates: readonly FixtureCandidate[] = [
  {
    id: 'c001',
    nom: 'Durand',
    prenom: 'Léa',
    blocs: ['BC01', 'BC02', 'PP'],
    amenagements: ['tiers-temps'],
  },
  { id: 'c002', nom: 'Martin', prenom: 'Éric', blocs: ['BC01'] },
  { id: 'c003', nom: 'Petit', prenom: 'Chloé', blocs: ['BC01', 'BC03'] },
];

/** Competency ids C1…Cn. */
export const competencyIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `C${i + 1}`);

/** The competencies of BC01 of relation-client. */
export const bc01 = competencyIds(15);

/** Candidate rows as the `;` CSV `certif candidates import` reads (with a BOM). */
export function candidatesCsv(rows: readonly FixtureCandidate[]): string {
  const lines = ['identifiant;nom;prénom;blocs;aménagements'];
  for (const r of rows)
    lines.push(
      [r.id, r.nom, r.prenom, r.blocs.join(' '), (r.amenagements ?? []).join('|')].join(';'),
    );
  return '\uFEFF' + lines.join('\n') + '\n';
}

/** The `jurors:` and `juries:` blocks of session.yaml. */
export function jurorsYaml(jurors: readonly FixtureJuror[]): string {
  if (jurors.length === 0) return 'jurors: []';
  return [
    'jurors:',
    ...jurors.flatMap((j) => [
      `  - id: ${j.id}`,
      `    name: ${j.name}`,
      `    independent: ${String(j.independent)}`,
    ]),
  ].join('\n');
}

/** The `juries:` block of session.yaml, flow lists. */
export function juriesYaml(juries: Readonly<Record<string, readonly string[]>>): string {
  const entries = Object.entries(juries);
  if (entries.length === 0) return 'juries: {}';
  return ['juries:', ...entries.map(([b, m]) => `  ${b}: [${m.join(', ')}]`)].join('\n');
}

function expectOk(result: RunResult, what: string): void {
  if (result.code !== 0)
    throw new Error(`${what} failed (exit ${result.code}): ${result.stderr}${result.stdout}`);
}

/**
 * Create a temporary project with `sessions/s1` on the bundled relation-client référentiel,
 * jurors, juries and candidates (imported through `certif candidates import`).
 */
export async function makeSessionFixture(
  options: SessionFixtureOptions = {},
): Promise<SessionFixture> {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'certif-fixture-')));
  const dir = path.join(root, 'sessions', 's1');
  const sessionFile = path.join(dir, 'session.yaml');
  const run = (argv: readonly string[], cwd = root) => runInProcess(argv, { cwd });
  const bin = (argv: readonly string[], cwd = root) => runBinary(argv, { cwd });
  const abs = (rel: string) => path.join(root, rel);
  const read = (rel: string) => readFileSync(abs(rel), 'utf8');
  const write = (rel: string, text: string) => {
    writeFileSync(abs(rel), text);
  };
  const evalFile = (candidate: string, bloc: string) =>
    path.join(dir, 'evaluations', candidate, `${bloc}.yaml`);
  const fixture: SessionFixture = {
    root,
    dir,
    sessionFile,
    run,
    bin,
    evalFile,
    abs,
    read,
    write,
    evaluation: (candidate, bloc) =>
      parse(readFileSync(evalFile(candidate, bloc), 'utf8')) as FixtureEvaluation,
    cleanup: () => {
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    expectOk(
      await run([
        'init',
        'sessions/s1',
        '--referential',
        'relation-client',
        '--date',
        '2026-06-12',
      ]),
      'certif init',
    );
    const text = readFileSync(sessionFile, 'utf8')
      .replace('jurors: []', jurorsYaml(options.jurors ?? defaultJurors))
      .replace('juries: {}', juriesYaml(options.juries ?? defaultJuries));
    writeFileSync(sessionFile, text);
    const candidates = options.candidates ?? defaultCandidates;
    if (candidates.length > 0) {
      writeFileSync(path.join(root, 'candidats.csv'), candidatesCsv(candidates));
      expectOk(await run(['candidates', 'import', 'candidats.csv']), 'certif candidates import');
    }
    return fixture;
  } catch (error) {
    fixture.cleanup();
    throw error;
  }
}

/** The one error diagnostics of a `validate --format json` run. */
export interface JsonDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'info';
  readonly ruleId: string;
  readonly message: string;
  readonly hint?: string;
}

/** Parse the JSON report of `certif validate --format json`. */
export function jsonReport(stdout: string): { diagnostics: JsonDiagnostic[] } {
  return JSON.parse(stdout) as { diagnostics: JsonDiagnostic[] };
}

/** The errors (not warnings nor infos) of a JSON report. */
export function errorsOf(stdout: string): JsonDiagnostic[] {
  return jsonReport(stdout).diagnostics.filter((d) => d.severity === 'error');
}

/** 1-based number of the first line of `text` that contains `needle` (after line `after`). */
export function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split('\n');
  for (let i = after; i < lines.length; i++) if (lines[i]?.includes(needle)) return i + 1;
  throw new Error(`"${needle}" not found`);
}

/** Replace the whole `juries:` block of a session.yaml text. */
export function replaceJuries(
  text: string,
  juries: Readonly<Record<string, readonly string[]>>,
): string {
  const re = /^juries:.*\n(?: {2}.*\n)*/m;
  if (!re.test(text)) throw new Error('no juries block');
  return text.replace(re, juriesYaml(juries) + '\n');
}

/** Edit the block of one candidate (`  - id: <id>` and its indented lines) of a session.yaml text. */
export function editCandidate(text: string, id: string, edit: (block: string) => string): string {
  const re = new RegExp(`^ {2}- id: ${id}\\n(?: {4}.*\\n)*`, 'm');
  const block = re.exec(text)?.[0];
  if (block === undefined) throw new Error(`no candidate ${id}`);
  return text.replace(block, edit(block));
}

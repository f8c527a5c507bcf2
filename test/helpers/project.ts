import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { runInProcess } from './cli.js';

/** A candidate row of the import CSV. */
export interface ProjectCandidate {
  readonly id: string;
  readonly familyName: string;
  readonly givenName: string;
  readonly blocs: readonly string[];
  readonly accommodations?: readonly string[];
}

/** A juror of session.yaml. */
export interface ProjectJuror {
  readonly id: string;
  readonly name: string;
  readonly independent: boolean;
}

/** What the temporary project holds; every field has a default. */
export interface ProjectOptions {
  /** Session folder name (default `s1`). */
  readonly session?: string;
  /** Référentiel id or path given to `certif init` (default `relation-client`). */
  readonly referential?: string;
  /** First day of the session (default `2026-06-12`). */
  readonly date?: string;
  /** Default: jdupont (independent), pmartin. */
  readonly jurors?: readonly ProjectJuror[];
  /** Bloc → juror ids. Default: BC01, BC02 and PP → [jdupont, pmartin]. */
  readonly juries?: Readonly<Record<string, readonly string[]>>;
  /** Imported with `certif candidates import`; none when empty. Default: c001 and c002. */
  readonly candidates?: readonly ProjectCandidate[];
}

/** A temporary certif project. */
export interface Project {
  /** The project folder (cwd for certif). */
  readonly root: string;
  readonly session: string;
  /** `<root>/sessions/<session>` */
  readonly sessionDir: string;
  /** `<root>/sessions/<session>/session.yaml` */
  readonly sessionFile: string;
  /** `<sessionDir>/evaluations/<candidate>/<bloc>.yaml` */
  evaluationFile(candidate: string, bloc: string): string;
  /** The text of a project file (path relative to root), or undefined when missing. */
  read(relative: string): Promise<string | undefined>;
  /** Remove the folder. */
  cleanup(): Promise<void>;
}

export const defaultJurors: readonly ProjectJuror[] = [
  { id: 'jdupont', name: 'Jeanne Dupont', independent: true },
  { id: 'pmartin', name: 'Paul Martin', independent: false },
];

export const defaultJuries: Readonly<Record<string, readonly string[]>> = {
  BC01: ['jdupont', 'pmartin'],
  BC02: ['jdupont', 'pmartin'],
  PP: ['jdupont', 'pmartin'],
};

export const defaultCandidates: readonly ProjectCandidate[] = [
  {
    id: 'c001',
    familyName: 'Durand',
    givenName: 'Léa',
    blocs: ['BC01', 'BC02'],
    accommodations: ['Tiers-temps'],
  },
  { id: 'c002', familyName: 'Martin', givenName: 'Hugo', blocs: ['BC01'] },
];

const cell = (v: string): string => (/[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The import CSV for candidates (`;`-separated, accommodations joined by `|`). */
export function candidatesCsv(candidates: readonly ProjectCandidate[]): string {
  const rows = candidates.map((c) =>
    [c.id, c.familyName, c.givenName, c.blocs.join(' '), (c.accommodations ?? []).join('|')]
      .map(cell)
      .join(';'),
  );
  return ['identifiant;nom;prénom;blocs;aménagements', ...rows].join('\n') + '\n';
}

async function certif(argv: readonly string[], cwd: string): Promise<void> {
  const r = await runInProcess(argv, { cwd });
  if (r.code !== 0) {
    throw new Error(
      `makeProject: certif ${argv.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`,
    );
  }
}

/**
 * A temporary project: `certif init`, jurors and juries written into session.yaml (comments
 * kept), then `certif candidates import`. Call `cleanup()` when done.
 */
export async function makeProject(options: ProjectOptions = {}): Promise<Project> {
  const session = options.session ?? 's1';
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-project-')));
  const sessionDir = path.join(root, 'sessions', session);
  const sessionFile = path.join(sessionDir, 'session.yaml');
  const project: Project = {
    root,
    session,
    sessionDir,
    sessionFile,
    evaluationFile: (candidate, bloc) =>
      path.join(sessionDir, 'evaluations', candidate, `${bloc}.yaml`),
    read: async (relative) => {
      try {
        return await readFile(path.join(root, relative), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  try {
    await certif(
      [
        'init',
        `sessions/${session}`,
        '--referential',
        options.referential ?? 'relation-client',
        '--date',
        options.date ?? '2026-06-12',
      ],
      root,
    );
    const doc = parseDocument(await readFile(sessionFile, 'utf8'));
    doc.set('jurors', doc.createNode((options.jurors ?? defaultJurors).map((j) => ({ ...j }))));
    const juries = doc.createNode(
      Object.fromEntries(
        Object.entries(options.juries ?? defaultJuries).map(([bloc, ids]) => [bloc, [...ids]]),
      ),
    );
    if (isMap(juries))
      for (const pair of juries.items) if (isSeq(pair.value)) pair.value.flow = true;
    doc.set('juries', juries);
    await writeFile(sessionFile, doc.toString({ lineWidth: 0 }));
    const candidates = options.candidates ?? defaultCandidates;
    if (candidates.length > 0) {
      const csv = path.join(root, 'candidats.csv');
      await writeFile(csv, candidatesCsv(candidates));
      await certif(['candidates', 'import', 'candidats.csv'], root);
    }
    return project;
  } catch (error) {
    await project.cleanup();
    throw error;
  }
}

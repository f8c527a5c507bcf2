import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isSeq, parse, parseDocument, type YAMLMap } from 'yaml';
import { repoRoot, runBinary, runInProcess, type RunResult } from './helpers/cli.js';
import { candidatesCsv, defaultJurors, type ProjectCandidate } from './helpers/project.js';

/**
 * A project whose referentials/ holds two versions of the same référentiel: 1.0.0 (the bundled
 * one) and 2.0.0 (a renewal: BC01 retitled, its competencies recoded C1 → RC1 and the first one
 * reworded). A session held under 1.0.0 has a final evaluation; a session created afterwards
 * takes 2.0.0.
 */
const V1_BC01 = 'Gestion de la relation client en face à face ou à distance';
const V2_BC01 = 'Relation client omnicanale, en face à face et à distance';
const V1_C1 = 'Prendre en charge en face à face ou à distance un client / un prospect';
const V2_C1 =
  'Accueillir un client ou un prospect, en face à face ou à distance, et analyser sa demande';

let root: string;
const run = (argv: readonly string[]): Promise<RunResult> => runInProcess(argv, { cwd: root });

async function ok(argv: readonly string[]): Promise<RunResult> {
  const r = await run(argv);
  if (r.code !== 0) throw new Error(`certif ${argv.join(' ')} → ${r.code}\n${r.stderr}`);
  return r;
}

/** `certif init`, then jurors and juries, then the candidates imported. */
async function newSession(
  name: string,
  referential: string[],
  candidates: readonly ProjectCandidate[],
): Promise<RunResult> {
  const init = await ok(['init', `sessions/${name}`, ...referential, '--date', '2026-06-15']);
  const file = path.join(root, 'sessions', name, 'session.yaml');
  const doc = parseDocument(await readFile(file, 'utf8'));
  doc.set('jurors', doc.createNode(defaultJurors.map((j) => ({ ...j }))));
  const juries = doc.createNode({ BC01: ['jdupont', 'pmartin'], BC02: ['jdupont', 'pmartin'] });
  if (isMap(juries)) for (const pair of juries.items) if (isSeq(pair.value)) pair.value.flow = true;
  doc.set('juries', juries);
  await writeFile(file, doc.toString({ lineWidth: 0 }));
  await writeFile(path.join(root, `${name}.csv`), candidatesCsv(candidates));
  await ok(['candidates', 'import', `${name}.csv`, '--session', `sessions/${name}`]);
  return init;
}

/** Every competency of BC01 acquired, then finalised by both jurors. */
function gradeAll(session: string, candidate: string, prefix: 'C' | 'RC'): Promise<RunResult> {
  const sets = Array.from({ length: 15 }, (_, i) => ['--set', `${prefix}${i + 1}=A`]).flat();
  return ok([
    'grade',
    candidate,
    'BC01',
    '--session',
    `sessions/${session}`,
    ...sets,
    '--finalize',
    '--by',
    'jdupont,pmartin',
  ]);
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-versions-')));
  const v1 = await readFile(path.join(repoRoot, 'referentials', 'relation-client.yaml'), 'utf8');
  await mkdir(path.join(root, 'referentials'));
  await writeFile(path.join(root, 'referentials', 'relation-client-1.0.0.yaml'), v1);
  const doc = parseDocument(v1);
  doc.set('version', '2.0.0');
  doc.setIn(['blocs', 0, 'title'], V2_BC01);
  for (const a of [0, 1, 2, 3]) {
    const seq = doc.getIn(['blocs', 0, 'activities', a, 'competencies'], true);
    for (const c of isSeq(seq) ? (seq.items as YAMLMap[]) : [])
      c.set('id', `R${String(c.get('id'))}`);
  }
  doc.setIn(['blocs', 0, 'activities', 0, 'competencies', 0, 'label'], V2_C1);
  await writeFile(
    path.join(root, 'referentials', 'relation-client-2.0.0.yaml'),
    doc.toString({ lineWidth: 0 }),
  );

  // Held under 1.0.0, named explicitly; a final evaluation, then a draft.
  await newSession(
    '2026-06-rouen',
    ['--referential', 'relation-client@1.0.0'],
    [
      { id: 'c001', familyName: 'Durand', givenName: 'Léa', blocs: ['BC01'] },
      { id: 'c002', familyName: 'Martin', givenName: 'Hugo', blocs: ['BC01'] },
    ],
  );
  await gradeAll('2026-06-rouen', 'c001', 'C');
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('référentiel versions side by side', () => {
  it('init takes the newest version unless told otherwise', async () => {
    const init = await newSession(
      '2026-12-caen',
      [],
      [{ id: 'c101', familyName: 'Petit', givenName: 'Inès', blocs: ['BC01'] }],
    );
    expect(init.stderr).toContain('(référentiel relation-client 2.0.0, sha256:');
    expect(init.stderr).toContain(
      'Versions disponibles : 1.0.0, 2.0.0 ; la session est attachée à 2.0.0. Pour une autre : --referential relation-client@<version>.',
    );
    const pins = async (name: string) =>
      (
        parse(await readFile(path.join(root, 'sessions', name, 'session.yaml'), 'utf8')) as {
          referential: { id: string; version: string };
        }
      ).referential;
    expect(await pins('2026-12-caen')).toMatchObject({ id: 'relation-client', version: '2.0.0' });
    expect(await pins('2026-06-rouen')).toMatchObject({ id: 'relation-client', version: '1.0.0' });
    await gradeAll('2026-12-caen', 'c101', 'RC');
  });

  it('validates both sessions cleanly', async () => {
    const r = await run(['validate', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { diagnostics: { severity: string; file: string }[] };
    expect(report.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });

  it('grades each session with the codes of its own version', async () => {
    const wrong = await run([
      'grade',
      'c002',
      'BC01',
      '--session',
      'sessions/2026-06-rouen',
      '--set',
      'RC1=A',
    ]);
    expect(wrong.code).not.toBe(0);
    const right = await run([
      'grade',
      'c002',
      'BC01',
      '--session',
      'sessions/2026-06-rouen',
      '--set',
      'C1=A',
    ]);
    expect(right.code).toBe(0);
  });

  it('renders the 1.0.0 session with 1.0.0 wording, the 2.0.0 session with 2.0.0 wording', async () => {
    const v1 = [
      await ok(['render', 'sheet', 'c001', '--session', 'sessions/2026-06-rouen']),
      await ok(['render', 'pv', '--session', 'sessions/2026-06-rouen']),
      await ok(['render', 'grid', 'BC01', '--session', 'sessions/2026-06-rouen']),
    ];
    const v2 = [
      await ok(['render', 'sheet', 'c101', '--session', 'sessions/2026-12-caen']),
      await ok(['render', 'pv', '--session', 'sessions/2026-12-caen']),
      await ok(['render', 'grid', 'BC01', '--session', 'sessions/2026-12-caen']),
    ];
    // The PV names blocs by code: its référentiel line is what tells the version.
    for (const r of v1) expect(r.stdout).toContain('relation-client 1.0.0');
    for (const r of v2) expect(r.stdout).toContain('relation-client 2.0.0');
    const [sheet1, pv1, grid1] = v1;
    const [sheet2, pv2, grid2] = v2;
    expect(pv1?.stdout).not.toContain('2.0.0');
    expect(pv2?.stdout).not.toContain('1.0.0');
    for (const r of [sheet1, grid1]) {
      expect(r?.stdout).toContain(V1_BC01);
      expect(r?.stdout).toContain(V1_C1);
      expect(r?.stdout).not.toContain(V2_BC01);
      expect(r?.stdout).not.toContain(V2_C1);
      expect(r?.stdout).not.toMatch(/\bRC1\b/);
    }
    for (const r of [sheet2, grid2]) {
      expect(r?.stdout).toContain(V2_BC01);
      expect(r?.stdout).toContain(V2_C1);
      expect(r?.stdout).not.toContain(V1_BC01);
      expect(r?.stdout).toMatch(/\bRC1\b/);
    }
  });

  it('a blank grid follows --referential id@version', async () => {
    const old = await ok(['render', 'grid', 'BC01', '--referential', 'relation-client@1.0.0']);
    expect(old.stdout).toContain(V1_BC01);
    const fresh = await ok(['render', 'grid', 'BC01', '--referential', 'relation-client@2.0.0']);
    expect(fresh.stdout).toContain(V2_BC01);
  });

  it('lists the versions and which sessions use which', async () => {
    const r = await runBinary(['referential', 'list'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    const at = (v: string) => lines.findIndex((l) => l.startsWith(`  ${v} `));
    expect(lines[0]).toBe('relation-client');
    expect(lines[at('1.0.0')]).toContain('referentials/relation-client-1.0.0.yaml');
    expect(lines[at('1.0.0') + 1]?.trim()).toBe('sessions : 2026-06-rouen');
    expect(lines[at('2.0.0')]).toContain('(la plus récente)');
    expect(lines[at('2.0.0') + 1]?.trim()).toBe('sessions : 2026-12-caen');

    const json = await run(['referential', 'list', '--format', 'json']);
    const list = JSON.parse(json.stdout) as {
      referentials: { id: string; version: string; newest: boolean; sessions: string[] }[];
    };
    expect(list.referentials.map((x) => [x.id, x.version, x.newest, x.sessions])).toEqual([
      ['relation-client', '1.0.0', false, ['2026-06-rouen']],
      ['relation-client', '2.0.0', true, ['2026-12-caen']],
    ]);
  });

  it('show names the other versions', async () => {
    const r = await ok(['show', 'BC01', '--referential', 'relation-client@1.0.0']);
    expect(r.stdout).toContain(V1_BC01);
    expect(r.stdout).toContain('Versions disponibles : 1.0.0, 2.0.0');
  });

  it('diffs two versions by id@version: BC01 retitled, 15 competencies recoded', async () => {
    const r = await run([
      'referential',
      'diff',
      'relation-client@1.0.0',
      'relation-client@2.0.0',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      entries: { kind: string; facts: string[]; old?: { code: string }; new?: { code: string } }[];
    };
    expect(report.entries[0]).toMatchObject({ kind: 'bloc', facts: ['reworded'] });
    const comps = report.entries.filter((e) => e.kind === 'competency');
    expect(comps).toHaveLength(15);
    expect(comps[0]).toMatchObject({
      old: { code: 'BC01.C1' },
      new: { code: 'BC01.RC1' },
      facts: ['recoded', 'reworded'],
    });
    expect(comps.slice(1).every((e) => e.facts.join() === 'recoded')).toBe(true);
  });

  it('refuses two files with the same id and version', async () => {
    const copy = path.join(root, 'referentials', 'relation-client-2.0.0-copie.yaml');
    await writeFile(
      copy,
      await readFile(path.join(root, 'referentials', 'relation-client-2.0.0.yaml'), 'utf8'),
    );
    try {
      const r = await run(['validate', 'referentials']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        'referentials/relation-client-2.0.0-copie.yaml:6:10  erreur  Deux fichiers déclarent le référentiel relation-client en version 2.0.0 : celui-ci et referentials/relation-client-2.0.0.yaml.',
      );
      expect(r.stdout).toContain(
        'referentials/relation-client-2.0.0.yaml:6:10  erreur  Deux fichiers déclarent le référentiel relation-client en version 2.0.0 : celui-ci et referentials/relation-client-2.0.0-copie.yaml.',
      );
      expect(r.stdout).toContain('(referential/duplicate-version)');
    } finally {
      await rm(copy);
    }
  });
});

/**
 * The `# yaml-language-server: $schema=` line of written files points to the project's own copy
 * of the schemas (`.certif/schemas/`): the same bytes whichever machine or certif installation
 * wrote the file. Runs the built binary from the repository and from a copy of the installation
 * at another path, on projects made in the system's temporary folder (outside the repository).
 */
import {
  cp,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runBinary, type RunResult } from './helpers/cli.js';

const temps: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
  temps.push(dir);
  return dir;
}

/** Run `<install>/bin/certif.js` in a child process. */
function certifAt(install: string, argv: readonly string[], cwd: string): Promise<RunResult> {
  return runBinary(argv, { cwd, install });
}

async function ok(install: string, argv: readonly string[], cwd: string): Promise<RunResult> {
  const r = await certifAt(install, argv, cwd);
  if (r.code !== 0) throw new Error(`certif ${argv.join(' ')} → ${r.code}\n${r.stderr}`);
  return r;
}

const JURORS = `jurors:
  - { id: jdupont, name: Jeanne Dupont, independent: true }
  - { id: pmartin, name: Paul Martin, independent: false }`;
const ALL_ACQUIRED = Array.from({ length: 15 }, (_, i) => ['--set', `C${i + 1}=A`]).flat();

/**
 * A project made as a secretary would: init, jurors and jury, candidates import, a draft and a
 * final evaluation, the deliberation accepted.
 */
async function makeProject(install: string): Promise<string> {
  const root = await tempDir('certif-sl-project-');
  await ok(install, ['init', 'sessions/s1', '--referential', 'relation-client'], root);
  const sessionFile = path.join(root, 'sessions/s1/session.yaml');
  const session = await readFile(sessionFile, 'utf8');
  await writeFile(
    sessionFile,
    session
      .replace(/^jurors: \[\]$/m, JURORS)
      .replace(/^juries: \{\}$/m, 'juries: { BC01: [jdupont, pmartin], BC02: [jdupont, pmartin] }'),
  );
  await writeFile(
    path.join(root, 'c.csv'),
    'identifiant;nom;prénom;blocs\nc001;Durand;Léa;BC01 BC02\nc002;Roy;Ana;BC01\n',
  );
  await ok(install, ['candidates', 'import', 'c.csv'], root);
  await ok(install, ['grade', 'c001', 'BC02', '--set', 'C1=A'], root);
  await ok(
    install,
    ['grade', 'c001', 'BC01', ...ALL_ACQUIRED, '--finalize', '--by', 'jdupont,pmartin'],
    root,
  );
  await ok(install, ['deliberate', '--accept'], root);
  return root;
}

const FILES = {
  'referentials/relation-client.yaml': 'referential',
  'sessions/s1/session.yaml': 'session',
  'sessions/s1/evaluations/c001/BC01.yaml': 'evaluation',
  'sessions/s1/evaluations/c001/BC02.yaml': 'evaluation',
  'sessions/s1/deliberation.yaml': 'deliberation',
} as const;

const firstLine = async (file: string) => (await readFile(file, 'utf8')).split('\n')[0] ?? '';

let otherInstall: string;

beforeAll(async () => {
  // The same certif, installed elsewhere: its schemas/ sit at another path.
  otherInstall = path.join(await tempDir('certif-sl-install-'), 'lib', 'certif');
  await mkdir(otherInstall, { recursive: true });
  for (const name of ['bin', 'dist', 'schemas', 'templates', 'referentials', 'package.json']) {
    await cp(path.join(repoRoot, name), path.join(otherInstall, name), { recursive: true });
  }
  await symlink(path.join(repoRoot, 'node_modules'), path.join(otherInstall, 'node_modules'));
});

afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

describe('the schema line of written files', () => {
  it('points into the project, to a copy equal to the installed schema, from any install', async () => {
    const mine = await makeProject(repoRoot);
    const theirs = await makeProject(otherInstall);
    const expected = {
      'referentials/relation-client.yaml':
        '# yaml-language-server: $schema=../.certif/schemas/referential.schema.json',
      'sessions/s1/session.yaml':
        '# yaml-language-server: $schema=../../.certif/schemas/session.schema.json',
      'sessions/s1/evaluations/c001/BC01.yaml':
        '# yaml-language-server: $schema=../../../../.certif/schemas/evaluation.schema.json',
      'sessions/s1/evaluations/c001/BC02.yaml':
        '# yaml-language-server: $schema=../../../../.certif/schemas/evaluation.schema.json',
      'sessions/s1/deliberation.yaml':
        '# yaml-language-server: $schema=../../.certif/schemas/deliberation.schema.json',
    };
    for (const [file, kind] of Object.entries(FILES)) {
      const line = await firstLine(path.join(mine, file));
      expect(line, file).toBe(expected[file as keyof typeof expected]);
      expect(await firstLine(path.join(theirs, file)), file).toBe(line);
      // What the line names exists and is the schema certif checks with.
      const target = path.resolve(
        path.join(mine, path.dirname(file)),
        line.split('$schema=')[1] ?? '',
      );
      expect(await readFile(target, 'utf8')).toBe(
        await readFile(path.join(repoRoot, 'schemas', `${kind}.schema.json`), 'utf8'),
      );
    }
    expect((await readdir(path.join(mine, '.certif/schemas'))).sort()).toEqual([
      'deliberation.schema.json',
      'entry.schema.json',
      'evaluation.schema.json',
      'referential.schema.json',
      'session.schema.json',
    ]);
    // A colleague's install writing in the same project changes neither lines nor copy.
    const before = await Promise.all(Object.keys(FILES).map((f) => firstLine(path.join(mine, f))));
    await ok(otherInstall, ['grade', 'c002', 'BC01', '--set', 'C2=A'], mine);
    expect(await firstLine(path.join(mine, 'sessions/s1/evaluations/c002/BC01.yaml'))).toBe(
      expected['sessions/s1/evaluations/c001/BC01.yaml'],
    );
    const after = await Promise.all(Object.keys(FILES).map((f) => firstLine(path.join(mine, f))));
    expect(after).toEqual(before);
    const validate = await certifAt(otherInstall, ['validate', '--format', 'json'], mine);
    expect(validate.code).toBe(0);
    expect(validate.stdout).not.toContain('project/schemas-stale');
  });

  it('gives a juror’s entry (blind double marking) the same kind of line', async () => {
    const root = await makeProject(otherInstall);
    const sessionFile = path.join(root, 'sessions/s1/session.yaml');
    const session = await readFile(sessionFile, 'utf8');
    await writeFile(
      sessionFile,
      session.replace(/^# double_marking: blind$/m, 'double_marking: blind'),
    );
    await writeFile(path.join(root, 'd.csv'), 'identifiant;nom;prénom;blocs\nc003;Roy;Bo;BC01\n');
    await ok(otherInstall, ['candidates', 'import', 'd.csv'], root);
    await ok(otherInstall, ['grade', 'c003', 'BC01', '--juror', 'jdupont', '--set', 'C1=A'], root);
    const folder = path.join(root, 'sessions/s1/entries/c003/BC01');
    const line = await firstLine(path.join(folder, 'jdupont.yaml'));
    expect(line).toBe(
      '# yaml-language-server: $schema=../../../../../.certif/schemas/entry.schema.json',
    );
    expect(await readFile(path.resolve(folder, line.split('$schema=')[1] ?? ''), 'utf8')).toBe(
      await readFile(path.join(repoRoot, 'schemas/entry.schema.json'), 'utf8'),
    );
  });

  it('validate says once, as an info, that a stale or missing copy needs certif schemas', async () => {
    const root = await makeProject(repoRoot);
    const copy = path.join(root, '.certif/schemas/evaluation.schema.json');
    await writeFile(copy, '{"old": true}\n');
    const r = await certifAt(repoRoot, ['validate'], root);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.includes('project/schemas-stale'));
    expect(lines).toEqual([
      '.certif/schemas/:1:1  info  La copie des schémas du projet (.certif/schemas/) diffère des schémas de ce certif (evaluation.schema.json) : les éditeurs YAML vérifient avec d’anciennes règles les fichiers du projet.  (project/schemas-stale)',
    ]);
    expect(r.stdout).toContain('→ Lancez « certif schemas » pour la mettre à jour');
    // Read-only: the stale copy is left as it is.
    expect(await readFile(copy, 'utf8')).toBe('{"old": true}\n');

    await rm(path.join(root, '.certif'), { recursive: true });
    const en = await certifAt(repoRoot, ['validate', '--strict', '--lang', 'en'], root);
    expect(en.code).toBe(0);
    expect(en.stdout).toContain(
      "The project's copy of the schemas (.certif/schemas/) is missing: YAML editors cannot check the project's files.",
    );
    expect(en.stdout).toContain('Run "certif schemas" to create it');
    expect(await readdir(root)).not.toContain('.certif');

    const fix = await certifAt(repoRoot, ['schemas'], root);
    expect(fix.code).toBe(0);
    expect(fix.stderr).toContain('✔ 5 schéma(s) écrit(s) dans .certif/schemas/');
    expect((await certifAt(repoRoot, ['validate'], root)).stdout).not.toContain('schemas-stale');
  });

  it('keeps validating a file with an old machine-specific line, and rewrites it at the next write', async () => {
    const root = await makeProject(repoRoot);
    const file = path.join(root, 'sessions/s1/evaluations/c001/BC02.yaml');
    const oldLine =
      '# yaml-language-server: $schema=../../../../../../usr/lib/node_modules/certif/schemas/evaluation.schema.json';
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/^[^\n]*/, oldLine));
    const v = await certifAt(repoRoot, ['validate', '--format', 'json'], root);
    expect(v.code).toBe(0);
    await ok(repoRoot, ['grade', 'c001', 'BC02', '--set', 'C2=A'], root);
    expect(await firstLine(file)).toBe(
      '# yaml-language-server: $schema=../../../../.certif/schemas/evaluation.schema.json',
    );
  });

  it('says what stands in the copy’s place when it cannot be written, without an internal error', async () => {
    const root = await makeProject(repoRoot);
    const evaluation = path.join(root, 'sessions/s1/evaluations/c002/BC01.yaml');
    // A file named .certif where the folder should be.
    await rm(path.join(root, '.certif'), { recursive: true });
    await writeFile(path.join(root, '.certif'), 'x\n');
    const r = await certifAt(repoRoot, ['grade', 'c002', 'BC01', '--set', 'C1=A'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Impossible d’écrire la copie des schémas .certif/schemas/deliberation.schema.json (ENOTDIR) : rien n’a été écrit.',
    );
    expect(r.stderr).toContain('supprimez ce qui occupe sa place');
    expect(r.stderr).not.toMatch(/erreur interne|^\s+at /m);
    await expect(readFile(evaluation)).rejects.toThrow(/ENOENT/);
    const en = await certifAt(repoRoot, ['schemas', '--lang', 'en'], root);
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('Cannot write the schema copy .certif/schemas/');
    // A folder where one schema file should be.
    await rm(path.join(root, '.certif'));
    await ok(repoRoot, ['schemas'], root);
    const one = path.join(root, '.certif/schemas/evaluation.schema.json');
    await rm(one);
    await mkdir(one);
    const f = await certifAt(repoRoot, ['grade', 'c002', 'BC01', '--set', 'C1=A'], root);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('.certif/schemas/evaluation.schema.json (EISDIR)');
    expect(await readdir(path.join(root, '.certif/schemas'))).not.toContainEqual(
      expect.stringMatching(/tmp/),
    );
  });

  it('never writes the copy through a symbolic link planted at its place', async () => {
    const root = await makeProject(repoRoot);
    const outside = await tempDir('certif-sl-outside-');
    await rm(path.join(root, '.certif/schemas'), { recursive: true });
    await symlink(outside, path.join(root, '.certif/schemas'));
    const evaluation = path.join(root, 'sessions/s1/evaluations/c002/BC01.yaml');
    const r = await certifAt(repoRoot, ['grade', 'c002', 'BC01', '--set', 'C1=A'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Écriture refusée : .certif/schemas/deliberation.schema.json passe par le lien symbolique .certif/schemas → ${outside}, qui mène hors du projet. Rien n’a été écrit.`,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(await readdir(outside)).toEqual([]);
    await expect(readFile(evaluation)).rejects.toThrow(/ENOENT/);
    // validate names the link as the reason the copy cannot be refreshed (an info: exit 0).
    const v = await certifAt(repoRoot, ['validate'], root);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(
      `.certif/schemas:1:1  info  La copie des schémas passe par le lien symbolique .certif/schemas → ${outside}`,
    );
    expect(v.stdout).toContain('(project/schemas-link)');
    expect(v.stdout).not.toContain('project/schemas-stale');

    // A link in place of one file of the copy: refused too, its target untouched.
    await rm(path.join(root, '.certif/schemas'));
    await ok(repoRoot, ['schemas'], root);
    const victim = path.join(outside, 'victim.json');
    await writeFile(victim, 'not a schema\n');
    const one = path.join(root, '.certif/schemas/session.schema.json');
    await rm(one);
    await symlink(victim, one);
    const s = await certifAt(repoRoot, ['schemas', '--lang', 'en'], root);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('Write refused: .certif/schemas/session.schema.json');
    expect(await readFile(victim, 'utf8')).toBe('not a schema\n');

    // init checks the copy's place before its first write: no référentiel copied either.
    const fresh = await tempDir('certif-sl-init-');
    await mkdir(path.join(fresh, 'sessions'));
    const away = await tempDir('certif-sl-away-');
    await symlink(away, path.join(fresh, '.certif'));
    const init = await certifAt(
      repoRoot,
      ['init', 'sessions/s1', '--referential', 'relation-client'],
      fresh,
    );
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('passe par le lien symbolique .certif');
    expect((await readdir(fresh)).sort()).toEqual(['.certif', 'sessions']);
    expect(await readdir(path.join(fresh, 'sessions'))).toEqual([]);
    expect(await readdir(away)).toEqual([]);
  });

  it('gives a file written outside any project no line naming a folder of this machine', async () => {
    const dir = await tempDir('certif-sl-alone-');
    const sample = path.join(repoRoot, 'test/fixtures/rncp/export-sample.xml');
    await ok(
      repoRoot,
      ['rncp', 'import', sample, '--fiche', 'RNCP37488', '--out', 'alone.yaml'],
      dir,
    );
    const text = await readFile(path.join(dir, 'alone.yaml'), 'utf8');
    expect(text).not.toContain('yaml-language-server');
    expect(await readdir(dir)).toEqual(['alone.yaml']);

    // Into a project's referentials/: the project's line and copy.
    await ok(repoRoot, ['rncp', 'import', sample, '--fiche', 'RNCP37488'], dir);
    expect(await firstLine(path.join(dir, 'referentials/rncp37488.yaml'))).toBe(
      '# yaml-language-server: $schema=../.certif/schemas/referential.schema.json',
    );
    expect((await readdir(path.join(dir, '.certif/schemas'))).length).toBe(5);
  });
});

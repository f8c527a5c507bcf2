/**
 * Issue 6 as one capability: an imported RNCP skeleton, référentiel versions side by side, the
 * CASE package and the Open Badges credentials of a session, all agreeing with each other.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { repoRoot, runBinary, runInProcess, type RunResult } from './helpers/cli.js';
import { makeProject, type Project } from './helpers/project.js';

const SAMPLE = path.join(repoRoot, 'test/fixtures/rncp/export-sample.xml');
const BUNDLED = path.join(repoRoot, 'referentials', 'relation-client.yaml');
const V2_BC01 = 'Relation client omnicanale, en face à face et à distance';

interface CaseItem {
  identifier: string;
  uri: string;
  humanCodingScheme: string;
  fullStatement: string;
  CFItemType: string;
  notes?: string;
}
interface CasePackage {
  CFDocument: { version: string };
  CFItems: CaseItem[];
  CFAssociations: {
    associationType: string;
    originNodeURI: { identifier: string };
    destinationNodeURI: { identifier: string };
  }[];
  CFRubrics: {
    title: string;
    CFRubricCriteria: { category: string; CFItemURI: { identifier: string } }[];
  }[];
}

const itemsByCode = (pkg: CasePackage) =>
  new Map(pkg.CFItems.map((i) => [i.humanCodingScheme, i] as const));

const tmp: string[] = [];
async function emptyProject(name: string): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), `certif-interop-${name}-`)));
  tmp.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of tmp) await rm(dir, { recursive: true, force: true });
});

describe('an imported skeleton still to complete', () => {
  it('init --referential <id> says the référentiel exists but is not valid yet, with its diagnostics', async () => {
    const dir = await emptyProject('skeleton');
    const imported = await runInProcess(['rncp', 'import', SAMPLE, '--fiche', 'RNCP37488'], {
      cwd: dir,
    });
    expect(imported.code, imported.stderr).toBe(0);
    for (const spec of ['rncp37488', 'rncp37488@1.0.0']) {
      const init = await runInProcess(['init', 'sessions/s1', '--referential', spec], {
        cwd: dir,
      });
      expect(init.code).toBe(1);
      expect(init.stderr).not.toContain('Référentiel inconnu');
      expect(init.stderr).toContain(
        'existe (referentials/rncp37488.yaml) mais n’est pas encore valide',
      );
      // Its diagnostics, each on its line, as validate prints them.
      expect(init.stderr).toMatch(
        /^referentials\/rncp37488\.yaml:\d+:\d+ {2}erreur {2}.* {2}\(referential\/to-complete\)$/m,
      );
      expect(existsSync(path.join(dir, 'sessions'))).toBe(false);
    }
    const en = await runInProcess(
      ['init', 'sessions/s1', '--referential', 'rncp37488', '--lang', 'en'],
      { cwd: dir },
    );
    expect(en.code).toBe(1);
    expect(en.stderr).toContain(
      'Référentiel rncp37488 exists (referentials/rncp37488.yaml) but is not valid yet',
    );
    // Comparing the skeleton with its fiche by id works before it is filled in (README order).
    const check = await runInProcess(['rncp', 'check', SAMPLE, 'rncp37488'], { cwd: dir });
    expect(check.stdout).toContain('aucun problème');
    expect(check.code).toBe(0);
    // referential list shows it as not valid yet rather than leaving it out.
    const list = await runInProcess(['referential', 'list', '--format', 'json'], { cwd: dir });
    expect((JSON.parse(list.stdout) as { invalid: unknown[] }).invalid).toEqual([
      { file: 'referentials/rncp37488.yaml', id: 'rncp37488', version: '1.0.0' },
    ]);
    const listText = await runInProcess(['referential', 'list'], { cwd: dir });
    expect(listText.stdout).toContain(
      '! referentials/rncp37488.yaml : rncp37488 1.0.0 pas encore valide, inutilisable',
    );
    // An id no file declares is still unknown (exit 2).
    const unknown = await runInProcess(['init', 'sessions/s1', '--referential', 'nope'], {
      cwd: dir,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Référentiel inconnu : nope');
  });
});

describe('two files with the same id and version', () => {
  let project: Project;
  beforeAll(async () => {
    project = await makeProject();
    const text = await readFile(BUNDLED, 'utf8');
    // A hand-edited copy that kept the version: which one a session means is undecidable.
    await writeFile(
      path.join(project.root, 'referentials', 'relation-client-copie.yaml'),
      text.replace(
        'Gestion de la relation client en face à face ou à distance',
        'Gestion de la relation client (copie modifiée)',
      ),
    );
  }, 60_000);
  afterAll(() => project.cleanup());

  const both =
    /referentials\/relation-client-copie\.yaml et referentials\/relation-client\.yaml|referentials\/relation-client\.yaml et referentials\/relation-client-copie\.yaml/;

  it('opening the session is refused, naming both files, and nothing is written', async () => {
    for (const argv of [
      ['status'],
      ['grade', 'c001', 'BC01', '--set', 'C1=A'],
      ['render', 'grid', 'BC01', '--format', 'md'],
      ['export', 'csv'],
    ]) {
      const r = await runInProcess(argv, { cwd: project.root });
      expect(r.code, `${argv.join(' ')}\n${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(
        'Deux fichiers déclarent le référentiel relation-client version 1.0.0',
      );
      expect(r.stderr).toMatch(both);
    }
    expect(existsSync(project.evaluationFile('c001', 'BC01'))).toBe(false);
  });

  it('referential list names both files', async () => {
    const r = await runInProcess(['referential', 'list', '--format', 'json'], {
      cwd: project.root,
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { duplicates: unknown[] }).duplicates).toEqual([
      {
        id: 'relation-client',
        version: '1.0.0',
        files: ['referentials/relation-client-copie.yaml', 'referentials/relation-client.yaml'],
      },
    ]);
  });

  it('init and export case refuse too', async () => {
    const init = await runInProcess(['init', 'sessions/s2', '--referential', 'relation-client'], {
      cwd: project.root,
    });
    expect(init.code).toBe(1);
    expect(init.stderr).toMatch(both);
    expect(existsSync(path.join(project.root, 'sessions', 's2'))).toBe(false);
    const exported = await runInProcess(['export', 'case', 'relation-client@1.0.0'], {
      cwd: project.root,
    });
    expect(exported.code).toBe(1);
    expect(exported.stdout).toBe('');
  });
});

describe('a session pinned to 1.0.0 while 2.0.0 exists', () => {
  let project: Project;
  const run = (argv: readonly string[], cwd = project.root): Promise<RunResult> =>
    runInProcess(argv, { cwd });
  const ok = async (argv: readonly string[], cwd?: string): Promise<RunResult> => {
    const r = await run(argv, cwd);
    if (r.code !== 0) throw new Error(`certif ${argv.join(' ')} → ${r.code}\n${r.stderr}`);
    return r;
  };

  beforeAll(async () => {
    project = await makeProject({
      candidates: [{ id: 'c001', familyName: 'Durand', givenName: 'Léa', blocs: ['BC01'] }],
    });
    const doc = parseDocument(await readFile(BUNDLED, 'utf8'));
    doc.set('version', '2.0.0');
    doc.setIn(['blocs', 0, 'title'], V2_BC01);
    await writeFile(
      path.join(project.root, 'referentials', 'relation-client-2.0.0.yaml'),
      doc.toString({ lineWidth: 0 }),
    );
    const sets = Array.from({ length: 15 }, (_, i) => ['--set', `C${i + 1}=A`]).flat();
    await ok(['grade', 'c001', 'BC01', ...sets, '--finalize', '--by', 'jdupont,pmartin']);
    await ok(['deliberate', '--accept']);
    await ok(['deliberate', '--close', '--members', 'Jeanne Dupont, Paul Martin']);
  }, 60_000);
  afterAll(() => project.cleanup());

  it('export case inside the session folder, or with --session, is the pinned version', async () => {
    const newest = JSON.parse((await ok(['export', 'case'])).stdout) as CasePackage;
    // Outside the session folder and without --session: the newest version, as before.
    expect(newest.CFDocument.version).toBe('2.0.0');
    const inside = await ok(['export', 'case'], project.sessionDir);
    const flagged = await ok(['export', 'case', '--session', `sessions/${project.session}`]);
    const pinned = await ok(['export', 'case', 'relation-client@1.0.0']);
    expect(inside.stdout).toBe(pinned.stdout);
    expect(inside.stderr).toBe('CASE : relation-client 1.0.0, la version de la session s1.\n');
    expect(flagged.stdout).toBe(pinned.stdout);
    expect((JSON.parse(pinned.stdout) as CasePackage).CFDocument.version).toBe('1.0.0');
    const both = await run(['export', 'case', 'relation-client', '--session', 'sessions/s1']);
    expect(both.code).toBe(2);
  });

  it('badges align to the CASE items of the pinned version, not the newest', async () => {
    await ok(['export', 'badges', '--out', 'badges']);
    const files = await readdir(path.join(project.root, 'badges'));
    expect(files).toEqual(['c001-BC01.json']);
    const badge = JSON.parse(
      await readFile(path.join(project.root, 'badges', 'c001-BC01.json'), 'utf8'),
    ) as {
      '@context': string[];
      type: string[];
      issuer: { id: string; type: string[]; name: string };
      validFrom: string;
      credentialSubject: {
        type: string[];
        achievement: {
          id: string;
          type: string[];
          name: string;
          criteria: { narrative: string };
          alignment: { targetType: string; targetUrl: string; targetCode: string }[];
          resultDescription: {
            alignment: { targetUrl: string }[];
            rubricCriterionLevel: { alignment: { targetUrl: string }[] }[];
          }[];
        };
      };
    };
    // What a wallet reads before anything else (Open Badges 3.0, VC Data Model 2.0).
    expect(badge['@context'][0]).toBe('https://www.w3.org/ns/credentials/v2');
    expect(badge['@context'][1]).toMatch(/^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\//);
    expect(badge.type).toEqual(expect.arrayContaining(['VerifiableCredential']));
    expect(badge.type.some((t) => /AchievementCredential|OpenBadgeCredential/.test(t))).toBe(true);
    expect(badge.issuer.id).toMatch(/^[a-z][a-z0-9+.-]*:\S+$/i);
    expect(badge.issuer.type).toContain('Profile');
    expect(badge.validFrom).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(badge.credentialSubject.type).toContain('AchievementSubject');
    expect(badge.credentialSubject.achievement.type).toContain('Achievement');
    expect(badge.credentialSubject.achievement.criteria.narrative).toContain('version 1.0.0');

    const v1 = itemsByCode(
      JSON.parse((await ok(['export', 'case'], project.sessionDir)).stdout) as CasePackage,
    );
    const v2 = itemsByCode(
      JSON.parse((await ok(['export', 'case', 'relation-client@2.0.0'])).stdout) as CasePackage,
    );
    const [target] = badge.credentialSubject.achievement.alignment;
    expect(target).toMatchObject({ targetType: 'CFItem', targetCode: 'BC01' });
    expect(target?.targetUrl).toBe(v1.get('BC01')?.uri);
    expect(target?.targetUrl).not.toBe(v2.get('BC01')?.uri);
    // Every competency and every level points into the pinned version's package only.
    const v1Text = (await ok(['export', 'case'], project.sessionDir)).stdout;
    const v2Text = (await ok(['export', 'case', 'relation-client@2.0.0'])).stdout;
    const results = badge.credentialSubject.achievement.resultDescription.flatMap((rd) => [
      ...rd.alignment,
      ...rd.rubricCriterionLevel.flatMap((l) => l.alignment),
    ]);
    expect(results).toHaveLength(15 * 3);
    for (const a of results) {
      expect(v1Text).toContain(a.targetUrl.replace(/^urn:uuid:/, ''));
      expect(v2Text).not.toContain(a.targetUrl.replace(/^urn:uuid:/, ''));
    }
  });
});

describe('the final evaluation in the CASE package', () => {
  it('PP is its own CFItem, child of the document, with its items and its rubric', async () => {
    const r = await runBinary(['export', 'case', BUNDLED], { cwd: repoRoot });
    expect(r.code, r.stderr).toBe(0);
    const pkg = JSON.parse(r.stdout) as CasePackage;
    const items = itemsByCode(pkg);
    const pp = items.get('PP');
    expect(pp).toMatchObject({
      fullStatement: 'Projet de pérennisation',
      CFItemType: 'Évaluation finale',
    });
    expect(pp?.notes).toContain('projet de pérennisation');
    expect(pp?.notes).toContain('Soutenance : 30 min.');
    expect(items.get('PP.E1')).toMatchObject({
      fullStatement: 'Rapport écrit',
      CFItemType: 'Élément de l’évaluation finale',
    });
    expect(items.get('PP.E2')?.fullStatement).toBe(
      'Soutenance de 30 mn devant un jury de professionnels',
    );
    const parentOf = (id: string | undefined) =>
      pkg.CFAssociations.find(
        (a) => a.associationType === 'isChildOf' && a.originNodeURI.identifier === id,
      )?.destinationNodeURI.identifier;
    const docId = (pkg.CFDocument as unknown as { identifier: string }).identifier;
    expect(parentOf(pp?.identifier)).toBe(docId);
    expect(parentOf(items.get('PP.E1')?.identifier)).toBe(pp?.identifier);
    expect(parentOf(items.get('PP.E2')?.identifier)).toBe(pp?.identifier);
    const rubric = pkg.CFRubrics.find((x) => x.title.includes('PP — Projet de pérennisation'));
    expect(rubric?.CFRubricCriteria.map((c) => c.category)).toEqual(['PP.E1', 'PP.E2']);
    expect(rubric?.CFRubricCriteria[0]?.CFItemURI.identifier).toBe(items.get('PP.E1')?.identifier);
  });

  it('a référentiel without final evaluation has no such item', async () => {
    const dir = await emptyProject('nofinal');
    const doc = parseDocument(await readFile(BUNDLED, 'utf8'));
    doc.delete('final_evaluation');
    await mkdir(path.join(dir, 'referentials'));
    await writeFile(path.join(dir, 'referentials', 'r.yaml'), doc.toString({ lineWidth: 0 }));
    const r = await runInProcess(['export', 'case', 'referentials/r.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const pkg = JSON.parse(r.stdout) as CasePackage;
    expect(pkg.CFItems.filter((i) => i.CFItemType.startsWith('Évaluation finale'))).toEqual([]);
    expect(pkg.CFItems.some((i) => i.humanCodingScheme === 'PP')).toBe(false);
  });
});

import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from './helpers/cli.js';

/**
 * Official documents never rest on data that no longer matches what the jury decided: the demo
 * project, c004 BC02 finalised and the proposals accepted, then edited the way a user might.
 */

const SESSION = 'sessions/demo-2026-06';
// No Chromium: the demo writes Markdown and HTML only (fast, and the same on every machine).
const env = { CERTIF_CHROMIUM: '/nonexistent/chromium' };
const C4_BC02 = Array.from({ length: 11 }, (_, i) => `--set=C${i + 10}=acquis`);

let base: string;
let template: string;
let dir: string;
const certif = (...argv: string[]) => runInProcess(argv, { cwd: dir, env });
const file = (...p: string[]) => path.join(dir, SESSION, ...p);
const deliberation = () => readFile(file('deliberation.yaml'), 'utf8');

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'certif-integrity-'));
  template = path.join(base, 'template');
  const demo = await runInProcess(['demo', template], { cwd: base, env });
  expect(demo.code, demo.stderr).toBe(0);
  dir = template;
  const grade = await certif(
    'grade',
    'c004',
    'BC02',
    ...C4_BC02,
    '--finalize',
    '--by',
    'sroux,pmartin',
  );
  expect(grade.code, grade.stderr).toBe(0);
  expect((await certif('deliberate', '--accept')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let n = 0;
beforeEach(async () => {
  n += 1;
  dir = path.join(base, `p${n}`);
  await cp(template, dir, { recursive: true });
});

async function close(): Promise<void> {
  const closed = await certif(
    'deliberate',
    '--close',
    '--members',
    'A, B',
    '--place',
    'Lyon',
    '--date',
    '2026-06-20',
  );
  expect(closed.code, closed.stderr).toBe(0);
}

describe('a closed deliberation that no longer matches what was sealed', () => {
  it('a decision edited by hand: no PV, attestation, credential, CSV nor statistics', async () => {
    await close();
    expect((await certif('render', 'pv')).code).toBe(0);
    const text = await deliberation();
    const at = text.indexOf('  c002:');
    const edited =
      text.slice(0, at) + text.slice(at).replace('decision: non_valide', 'decision: valide');
    expect(edited).not.toBe(text);
    await writeFile(file('deliberation.yaml'), edited);

    for (const argv of [
      ['render', 'pv'],
      ['render', 'attestation', 'c002'],
      ['export', 'badges', '--out', 'b'],
      ['export', 'csv'],
      ['stats'],
      ['stats', '--qualiopi'],
    ]) {
      const r = await certif(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stdout, argv.join(' ')).toBe('');
      expect(r.stderr).toContain(`${SESSION}/deliberation.yaml:`);
      expect(r.stderr).toContain('deliberation/decisions-changed');
    }
    expect(existsSync(path.join(dir, 'b'))).toBe(false);
    const en = await certif('render', 'pv', '--lang', 'en');
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('closed deliberation that no longer matches what the jury sealed');
    expect(en.stderr).toContain('Decisions were changed after the deliberation was closed.');
  });

  it('a final evaluation deleted after the close: no credential, CSV nor statistics', async () => {
    await close();
    await rm(file('evaluations', 'c005', 'BC03.yaml'));
    for (const argv of [
      ['export', 'badges', '--out', 'b'],
      ['export', 'csv'],
      ['stats', '--qualiopi'],
    ]) {
      const r = await certif(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr).toContain('deliberation/digest-mismatch');
      expect(r.stderr).toContain('c005 BC03');
    }
    expect(existsSync(path.join(dir, 'b'))).toBe(false);
  });
});

describe('an open deliberation whose evaluations changed after a decision', () => {
  it('a decided evaluation deleted: validate says so, the attestation does not list it', async () => {
    expect((await certif('render', 'attestation', 'c005')).stdout).toContain('BC03');
    await rm(file('evaluations', 'c005', 'BC03.yaml'));
    const validate = await certif('validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout + validate.stderr).toContain('deliberation/evaluation-changed');
    expect(validate.stdout + validate.stderr).toContain('c005 BC03 a disparu depuis la décision');
    const attestation = await certif('render', 'attestation', 'c005');
    expect(attestation.code).toBe(0);
    expect(attestation.stdout).not.toContain('BC03');
    expect(attestation.stdout).toContain('Aucun bloc validé');
  });

  it('an amendment makes the decision "à revoir" until the jury records it again', async () => {
    const amend = await certif(
      'amend',
      'c001',
      'BC01',
      '--set',
      'C2=non_acquis',
      '--observation',
      'C2=Non démontré',
      '--reason',
      'erreur de report',
      '--by',
      'jdupont',
    );
    expect(amend.code, amend.stderr).toBe(0);
    const shown = await certif('deliberate');
    expect(shown.stdout).toContain(
      'BC01   proposition : non validé → décision : à revoir (évaluation modifiée depuis la décision) — était : validé',
    );
    const pv = await certif('render', 'pv');
    const line = pv.stdout.split('\n').find((l) => l.includes('(c001)')) ?? '';
    expect(line).toContain('à revoir');
    expect(line).toContain('en attente de décision');
    const csv = await certif('export', 'csv');
    const row = csv.stdout.split('\n').find((l) => l.includes(';c001;') && l.includes(';BC01;'));
    expect(row).toContain('à revoir (évaluation modifiée depuis la décision)');
    expect((await certif('render', 'attestation', 'c001')).stdout).toContain('Aucun bloc validé');

    const before = await deliberation();
    const accept = await certif('deliberate', '--accept');
    expect(accept.code).toBe(0);
    expect(accept.stderr).toContain('à revoir, non retenue(s) : c001 BC01');
    expect(await deliberation()).toBe(before);

    expect(
      (
        await certif(
          'deliberate',
          '--candidate',
          'c001',
          '--bloc',
          'BC01',
          '--decision',
          'non_valide',
        )
      ).code,
    ).toBe(0);
    const again = await certif('deliberate');
    expect(again.stdout).toContain('BC01   proposition : non validé → décision : non validé');
    expect(again.stdout).not.toContain('à revoir');
    expect((await certif('validate')).code).toBe(0);
  });
});

describe('deliberate, amend and export badges', () => {
  it('a final evaluation edited by hand is reported as such, not as a draft', async () => {
    const f = file('evaluations', 'c003', 'BC01.yaml');
    await writeFile(
      f,
      (await readFile(f, 'utf8')).replace(/^ {2}C1: acquis$/m, '  C1: non_acquis'),
    );
    const shown = await certif('deliberate');
    const block = shown.stdout.slice(shown.stdout.indexOf('c003'), shown.stdout.indexOf('c004'));
    expect(block).toContain('évaluation modifiée à la main ou illisible (lancez certif validate)');
    expect(block).not.toContain('brouillon');
    const before = await deliberation();
    const record = await certif(
      'deliberate',
      '--candidate',
      'c003',
      '--bloc',
      'BC01',
      '--decision',
      'non_valide',
    );
    expect(record.code).toBe(1);
    expect(record.stderr).toContain('c003 BC01 : évaluation modifiée à la main ou illisible');
    expect(record.stderr).toContain('Lancez certif validate');
    expect(record.stderr).not.toContain('--finalize');
    expect(await deliberation()).toBe(before);
  });

  it('amending a value to itself is refused and writes nothing', async () => {
    const f = file('evaluations', 'c001', 'BC01.yaml');
    const before = await readFile(f, 'utf8');
    const r = await certif(
      'amend',
      'c001',
      'BC01',
      '--set',
      'C2=acquis',
      '--reason',
      'vérification',
      '--by',
      'jdupont',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('C2 est déjà Acquis : rien à modifier');
    expect(await readFile(f, 'utf8')).toBe(before);
    // A new observation on the same verdict is a real change.
    const obs = await certif(
      'amend',
      'c001',
      'BC01',
      '--set',
      'C2=acquis',
      '--observation',
      'C2=Très clair',
      '--reason',
      'observation oubliée',
      '--by',
      'jdupont',
    );
    expect(obs.code, obs.stderr).toBe(0);
  });

  it('export badges --out - is a usage error and creates no folder named "-"', async () => {
    await close();
    const r = await certif('export', 'badges', '--out', '-');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Donnez un dossier');
    expect(existsSync(path.join(dir, '-'))).toBe(false);
  });
});

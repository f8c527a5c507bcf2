import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runInProcess } from './helpers/cli.js';
import { makeBlindProject, bc01Sets as sets } from './helpers/blind.js';
import { makeProject, type Project } from './helpers/project.js';

/**
 * Blind double marking and the deliberation: a candidate whose jurors have entered their
 * judgements (draft or submitted) but whose joint evaluation is not reconciled sat the bloc.
 * certif must wait for the reconciliation, never propose, accept or seal "absent".
 *
 * c002 BC01: both jurors submitted, with a difference on C5, not reconciled.
 * c001 BC01: only pmartin has a draft entry; c001 BC02: nothing at all (really absent).
 */
describe('blind double marking: unreconciled entries are pending, never absent', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });
  const deliberationFile = () => path.join(project.root, 'sessions/s1/deliberation.yaml');
  const deliberationText = () => readFile(deliberationFile(), 'utf8').catch(() => undefined);
  /** The lines of one candidate's block in `certif deliberate`'s text output. */
  const block = (stdout: string, id: string): string => {
    const lines = stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith(`${id} `));
    const rest = lines.slice(start + 1);
    const end = rest.findIndex((l) => !l.startsWith(' '));
    return [lines[start], ...rest.slice(0, end < 0 ? undefined : end)].join('\n');
  };

  beforeAll(async () => {
    project = await makeBlindProject();
    const j1 = await run('grade', 'c002', 'BC01', '--juror', 'jdupont', ...sets(), '--submit');
    expect(j1.code, j1.stderr).toBe(0);
    const j2 = await run(
      'grade',
      'c002',
      'BC01',
      '--juror',
      'pmartin',
      ...sets({ C5: 'NA' }),
      '--observation=C5=Relance client oubliée',
      '--submit',
    );
    expect(j2.code, j2.stderr).toBe(0);
    const draft = await run('grade', 'c001', 'BC01', '--juror', 'pmartin', '--set', 'C1=A');
    expect(draft.code, draft.stderr).toBe(0);
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('deliberate proposes nothing for them: "en attente : saisies des jurés / rapprochement"', async () => {
    const r = await run('deliberate');
    expect(r.code, r.stderr).toBe(0);
    const c002 = block(r.stdout, 'c002');
    expect(c002).toContain(
      'BC01   proposition : en attente : saisies des jurés / rapprochement à faire',
    );
    expect(c002).toContain('Résultat : en attente : saisies des jurés / rapprochement à faire');
    expect(c002).not.toMatch(/absent/i);
    const c001 = block(r.stdout, 'c001');
    expect(c001).toContain(
      'BC01   proposition : en attente : saisies des jurés / rapprochement à faire',
    );
    // BC02 has no entry and no evaluation: that one really is absent.
    expect(c001).toContain('BC02   proposition : absent');
    expect(c001).not.toContain('Résultat : Absent');

    const en = await run('deliberate', '--lang', 'en', '--format', 'json');
    const rows = JSON.parse(en.stdout) as {
      candidate: string;
      units: { unit: string; proposal: string }[];
      proposedOutcome: string | null;
    }[];
    const c002json = rows.find((x) => x.candidate === 'c002');
    expect(c002json?.units).toEqual([
      { unit: 'BC01', proposal: 'pending', decision: null, reason: null },
    ]);
    expect(c002json?.proposedOutcome).toBeNull();
  });

  it('--accept leaves them undecided; a decision on them is refused; nothing is written', async () => {
    const accept = await run('deliberate', '--accept');
    expect(accept.code, accept.stderr).toBe(0);
    expect(accept.stderr).toContain('en attente (brouillon ou rapprochement) : c001, c002');
    const recorded = parse((await deliberationText()) ?? '') as {
      candidates: Record<string, { blocs: Record<string, unknown>; outcome?: string }>;
    };
    expect(recorded.candidates.c002).toBeUndefined();
    expect(recorded.candidates.c001?.blocs.BC01).toBeUndefined();
    expect(recorded.candidates.c001?.outcome).toBeUndefined();

    const before = await deliberationText();
    const forced = await run(
      'deliberate',
      '--candidate',
      'c002',
      '--bloc',
      'BC01',
      '--decision',
      'absent',
      '--reason',
      'pas vu',
    );
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain(
      'c002 n’a pas encore d’évaluation finale (BC01 : en attente : saisies des jurés / rapprochement à faire) : aucune décision possible.',
    );
    expect(forced.stderr).toContain('certif reconcile c002 BC01');
    expect(await deliberationText()).toBe(before);
  });

  it('--close is refused while a unit waits for its reconciliation', async () => {
    const before = await deliberationText();
    const r = await run('deliberate', '--close', '--members', 'Anne Roy, Marc Petit');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Clôture impossible : pas encore d’évaluation finale pour c001');
    expect(r.stderr).toContain('c002 (BC01 : en attente : saisies des jurés / rapprochement');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(await deliberationText()).toBe(before);
    // The reconciliation is still possible: nothing was sealed.
    const listed = await run('reconcile', 'c002', 'BC01');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('C5');
  });

  it('status counts them in progress and names no juror absent (text and json)', async () => {
    const text = await run('status');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      '3 évaluation(s) : 0 finale(s), 0 brouillon(s), 2 en cours de double correction, 1 non commencée(s)',
    );
    const json = await run('status', '--format', 'json');
    const states = (
      JSON.parse(json.stdout) as {
        evaluations: { candidate: string; bloc: string; state: string; entries?: object }[];
      }
    ).evaluations.map((e) => [e.candidate, e.bloc, e.state, e.entries]);
    expect(states).toEqual([
      ['c001', 'BC01', 'double_marking', { jdupont: 'not_started', pmartin: 'draft' }],
      ['c001', 'BC02', 'not_started', { jdupont: 'not_started', pmartin: 'not_started' }],
      ['c002', 'BC01', 'double_marking', { jdupont: 'submitted', pmartin: 'submitted' }],
    ]);
    expect(json.stdout).not.toContain('absent');
  });

  it('stats and the spreadsheet export count them pending, not absent', async () => {
    const stats = await run('stats', '--format', 'json');
    expect(stats.code, stats.stderr).toBe(0);
    const s = JSON.parse(stats.stdout) as { sessions: { outcomes: Record<string, number> }[] };
    expect(s.sessions[0]?.outcomes).toEqual({
      titre_obtenu: 0,
      validation_partielle: 0,
      non_valide: 0,
      absent: 0,
      pending: 2,
    });
    const csv = await run('export', 'csv');
    expect(csv.code, csv.stderr).toBe(0);
    const c002 = csv.stdout.split('\r\n').filter((l) => l.includes(';c002;'));
    expect(c002).toHaveLength(1);
    expect(c002[0]).toContain(
      'double correction en cours — non rapprochée;en attente : saisies des jurés / rapprochement à faire',
    );
    expect(c002[0]).not.toMatch(/absent/i);
  });

  it('once reconciled and finalised, the bloc is proposed on its joint evaluation', async () => {
    const r = await run(
      'reconcile',
      'c002',
      'BC01',
      '--decision=C5=acquis',
      '--reason=C5=La relance figure au compte rendu',
      '--finalize',
      '--by',
      'jdupont,pmartin',
    );
    expect(r.code, r.stderr).toBe(0);
    const d = await run('deliberate');
    expect(block(d.stdout, 'c002')).toContain('BC01   proposition : validé');
  });
});

describe('a decision recorded before the entries (e.g. "absent" accepted too early) does not stand', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });

  beforeAll(async () => {
    project = await makeBlindProject();
    // Nobody has graded yet: --accept records every bloc as absent.
    const early = await run('deliberate', '--accept');
    expect(early.code, early.stderr).toBe(0);
    for (const juror of ['jdupont', 'pmartin']) {
      const r = await run('grade', 'c002', 'BC01', '--juror', juror, ...sets(), '--submit');
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('deliberate, the PV, stats and close treat the bloc as pending, not absent', async () => {
    const d = await run('deliberate');
    expect(d.stdout).toContain(
      'c002  Martin Hugo\n  BC01   proposition : en attente : saisies des jurés / rapprochement à faire\n  Résultat : en attente',
    );
    const pv = await run('render', 'pv');
    expect(pv.code, pv.stderr).toBe(0);
    const row = pv.stdout.split('\n').find((l) => l.includes('(c002)'));
    expect(row).toContain('en attente : saisies des jurés / rapprochement à faire');
    expect(row).not.toMatch(/absent/i);
    const stats = JSON.parse((await run('stats', '--format', 'json')).stdout) as {
      sessions: { outcomes: Record<string, number> }[];
    };
    // c001 sat nothing (absent, as accepted); c002 waits for the reconciliation.
    expect(stats.sessions[0]?.outcomes).toMatchObject({ absent: 1, pending: 1 });
    const close = await run('deliberate', '--close', '--members', 'Anne Roy', '--place', 'Rouen');
    expect(close.code).toBe(1);
    expect(close.stderr).toContain(
      'Clôture impossible : pas encore d’évaluation finale pour c002 (BC01 : en attente : saisies des jurés / rapprochement à faire).',
    );
  });
});

describe('a draft evaluation (no double marking) stops the close the same way', () => {
  let project: Project;
  const run = (...argv: string[]) => runInProcess(argv, { cwd: project.root });
  beforeAll(async () => {
    project = await makeProject();
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('refuses --decision and --close, naming the draft and how to finalise it', async () => {
    expect((await run('grade', 'c002', 'BC01', '--set', 'C1=A')).code).toBe(0);
    const accept = await run('deliberate', '--accept');
    expect(accept.code, accept.stderr).toBe(0);
    const decision = await run(
      'deliberate',
      '--candidate',
      'c002',
      '--bloc',
      'BC01',
      '--decision',
      'absent',
      '--reason',
      'x',
    );
    expect(decision.code).toBe(1);
    expect(decision.stderr).toContain('BC01 : en attente (évaluation en brouillon)');
    const close = await run('deliberate', '--close', '--members', 'Anne Roy', '--place', 'Rouen');
    expect(close.code).toBe(1);
    expect(close.stderr).toContain(
      'pas encore d’évaluation finale pour c002 (BC01 : en attente (évaluation en brouillon))',
    );
    expect(close.stderr).toContain('certif grade c002 BC01 --finalize');
    const recorded = await readFile(
      path.join(project.root, 'sessions/s1/deliberation.yaml'),
      'utf8',
    );
    expect(recorded).not.toContain('closed');
  });
});

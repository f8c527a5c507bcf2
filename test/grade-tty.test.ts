import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runInProcess } from './helpers/cli.js';
import { bc01Sets, makeBlindProject } from './helpers/blind.js';
import { makeProject, type Project } from './helpers/project.js';
import { keys, spawnCertif, type CertifPty } from './helpers/pty.js';

/** `certif grade` on a real pseudo-terminal: what a juror types is what lands on disk. */

const TOTAL = 15; // BC01 of relation-client: C1–C15

type ResultValue = string | { verdict: string; observation?: string };
interface EvaluationFile {
  candidate: string;
  bloc: string;
  status: string;
  results: Record<string, ResultValue>;
  finalized?: { by: string[]; at: string };
  hash?: string;
}

const counter = (n: number): string => `[${n}/${TOTAL}]`;

async function readEvaluation(project: Project): Promise<EvaluationFile | undefined> {
  const text = await project.read(`sessions/${project.session}/evaluations/c001/BC01.yaml`);
  return text === undefined ? undefined : (parse(text) as EvaluationFile);
}

/** Answer the competency on screen (number `n`) and wait until the next one is shown. */
async function answer(t: CertifPty, n: number, observation?: string): Promise<void> {
  await t.waitFor(counter(n));
  const next = n < TOTAL ? counter(n + 1) : 'Récapitulatif';
  if (observation === undefined) {
    t.send('a');
  } else {
    t.send('n');
    await t.waitFor('Observation (obligatoire');
    t.send(observation + keys.enter);
  }
  // The next screen is drawn only once the answer is written to disk.
  await t.waitFor(next);
}

/** Verdicts of BC01 used by the kill / resume scenario, in order C1…C15. */
const script: (string | undefined)[] = [
  undefined,
  'Reformulation insuffisante, écoute à améliorer',
  undefined,
  'Argumentaire trop général — manque d’exemples chiffrés',
  undefined,
  undefined,
  'Relance client non effectuée ; à revoir',
  undefined,
  'Satisfaction mesurée « à l’oral » seulement, sans questionnaire',
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
];

const expected = (upTo: number): Record<string, ResultValue> =>
  Object.fromEntries(
    script
      .slice(0, upTo)
      .map((obs, i) => [
        `C${i + 1}`,
        obs === undefined ? 'acquis' : { verdict: 'non_acquis', observation: obs },
      ]),
  );

const running: CertifPty[] = [];
function grade(project: Project, ...argv: string[]): CertifPty {
  const t = spawnCertif(['grade', ...argv], { cwd: project.root });
  running.push(t);
  return t;
}

afterEach(async () => {
  for (const t of running.splice(0)) {
    t.kill('SIGKILL');
    await t.exited;
  }
});

describe('certif grade on a terminal: killed, resumed, finalised', () => {
  let project: Project;
  beforeAll(async () => {
    project = await makeProject();
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('records each answer at once: after SIGKILL, the 7 answers given are on disk', async () => {
    const t = grade(project);
    await t.waitFor('Candidat');
    await t.waitFor('c002');
    t.send('dur');
    // The screen may arrive in several chunks: wait for the filtered list itself.
    const picker = await t.waitFor(/Filtre : dur▏[\s\S]*Durand Léa/);
    expect(picker).toContain('Durand Léa');
    expect(picker).not.toContain('Martin Hugo');
    t.send(keys.enter);
    await t.waitFor('Bloc — Durand Léa');
    t.send('bc01');
    await t.waitFor('Filtre : bc01');
    t.send(keys.enter);
    const first = await t.waitFor(/Réponses : 0\/15[\s\S]*\[1\/15\]/);
    expect(first).toContain('Candidat : Durand Léa (c001)');
    expect(first).toContain('Aménagements : Tiers-temps');
    expect(first).toContain('Réponses : 0/15');

    for (let n = 1; n <= 7; n++) await answer(t, n, script[n - 1]);
    expect(t.screen()).toContain('Réponses : 7/15');

    t.kill('SIGKILL');
    const exit = await t.exited;
    expect(exit.signal).toBe(9);

    const evaluation = await readEvaluation(project);
    expect(evaluation?.status).toBe('draft');
    expect(evaluation?.results).toEqual(expected(7));
  });

  it('resumes at 8/15 after the kill, then finalises with both jurors', async () => {
    const t = grade(project, 'c001', 'BC01');
    const resumed = await t.waitFor('Reprise à la première compétence sans réponse');
    expect(resumed).toContain('(8/15)');
    expect(resumed).toContain(counter(8));
    expect(resumed).toContain('Réponses : 7/15');

    for (let n = 8; n <= TOTAL; n++) await answer(t, n, script[n - 1]);
    // The summary's lines may arrive after its title: wait for each.
    await t.waitFor('11 acquise(s), 4 non acquise(s) sur 15');
    const summary = await t.waitFor('proposition : bloc non validé');
    expect(summary).toContain('11 acquise(s), 4 non acquise(s) sur 15');

    t.send('f');
    await t.waitFor('Identifiant du juré 1/2');
    t.send('jdupont' + keys.enter);
    await t.waitFor('Identifiant du juré 2/2');
    t.send('pmartin' + keys.enter);
    await t.waitFor('Évaluation finalisée', { in: 'all' });
    expect((await t.exited).exitCode).toBe(0);

    const evaluation = await readEvaluation(project);
    expect(evaluation?.status).toBe('final');
    expect(evaluation?.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(evaluation?.finalized?.by).toEqual(['jdupont', 'pmartin']);
    expect(evaluation?.results).toEqual(expected(TOTAL));
    expect(existsSync(`${project.evaluationFile('c001', 'BC01')}.lock`)).toBe(false);
  });
});

describe('certif grade on a terminal', () => {
  let project: Project;
  beforeEach(async () => {
    project = await makeProject();
  });
  afterEach(async () => {
    await project.cleanup();
  });

  it('Ctrl-C exits 130, keeps the answers given and drops the observation being typed', async () => {
    const t = grade(project, 'c001', 'BC01');
    for (let n = 1; n <= 3; n++) await answer(t, n, script[n - 1]);
    await t.waitFor(counter(4));
    t.send('n');
    await t.waitFor('Observation (obligatoire');
    t.send('Début d’observation');
    await t.waitFor('Début d’observation');
    t.send(keys.ctrlC);

    const exit = await t.exited;
    expect(exit.exitCode).toBe(130);
    expect(t.output()).toContain('Saisie interrompue. 3/15 réponse(s) enregistrée(s)');
    const evaluation = await readEvaluation(project);
    expect(evaluation?.status).toBe('draft');
    expect(evaluation?.results).toEqual(expected(3));
    expect(existsSync(`${project.evaluationFile('c001', 'BC01')}.lock`)).toBe(false);
  });

  it('refuses a juror who is not of the bloc’s jury: the evaluation stays a draft', async () => {
    const sets = Array.from({ length: TOTAL }, (_, i) => `--set=C${i + 1}=${i === 2 ? 'NA' : 'A'}`);
    const seeded = await runInProcess(
      ['grade', 'c001', 'BC01', ...sets, '--observation=C3=Écoute à améliorer'],
      { cwd: project.root },
    );
    expect(seeded.code, seeded.stderr).toBe(0);

    const t = grade(project, 'c001', 'BC01');
    await t.waitFor('Récapitulatif');
    t.send('f');
    await t.waitFor('Identifiant du juré 1/2');
    // A juror who does not sit on the jury is refused as soon as the id is typed.
    t.send('jdupond' + keys.enter);
    let screen = await t.waitFor('« jdupond » ne siège pas au jury de BC01', { in: 'all' });
    expect(screen).not.toContain('Identifiant du juré 2/2');
    // The same juror twice is no jury either.
    t.send('jdupont' + keys.enter);
    await t.waitFor('Identifiant du juré 2/2', { in: 'all' });
    t.send('jdupont' + keys.enter);
    screen = await t.waitFor('jdupont a déjà confirmé', { in: 'all' });
    expect(screen).not.toContain('finalisée');
    expect((await readEvaluation(project))?.status).toBe('draft');
    // Esc leaves the confirmation: nothing is finalised.
    t.send(keys.escape);
    await t.waitFor('Finalisation annulée');

    t.send('d');
    await t.waitFor('Brouillon enregistré', { in: 'all' });
    expect((await t.exited).exitCode).toBe(0);
    const evaluation = await readEvaluation(project);
    expect(evaluation?.status).toBe('draft');
    expect(evaluation?.hash).toBeUndefined();
    expect(evaluation?.finalized).toBeUndefined();
  });

  it('Esc at the observation prompt records nothing for that competency', async () => {
    const t = grade(project, 'c001', 'BC01');
    await answer(t, 1);

    // An unanswered competency stays unanswered.
    t.send('n');
    await t.waitFor('Observation (obligatoire');
    t.send('Pas convaincant');
    await t.waitFor('Pas convaincant');
    t.send(keys.escape);
    let screen = await t.waitFor('Annulé : rien n’a été enregistré pour cette compétence.');
    expect(screen).toContain(counter(2));
    expect(screen).toContain('Réponses : 1/15');
    expect((await readEvaluation(project))?.results).toEqual({ C1: 'acquis' });

    // An answered one keeps its answer.
    t.send(keys.left);
    // A screen arrives in several writes: wait for its last expected line, then check the rest.
    screen = await t.waitFor('Réponse : Acquis');
    expect(screen).toContain(counter(1));
    t.send('n');
    await t.waitFor('Observation (obligatoire');
    t.send(keys.escape);
    screen = await t.waitFor('Annulé');
    expect(screen).toContain(counter(1));
    expect(screen).toContain('Réponse : Acquis');

    t.send('q');
    await t.waitFor('Brouillon enregistré');
    expect((await t.exited).exitCode).toBe(0);
    expect((await readEvaluation(project))?.results).toEqual({ C1: 'acquis' });
  });
});

describe('certif grade --juror on a terminal (blind double marking)', () => {
  let project: Project;
  const SECRET_J1 = 'Reformulation absente — note confidentielle de Jeanne';
  beforeEach(async () => {
    project = await makeBlindProject();
  });
  afterEach(async () => {
    await project.cleanup();
  });

  it('J2 grades and submits without ever seeing J1’s submitted entry', async () => {
    const j1 = await runInProcess(
      [
        'grade',
        'c001',
        'BC01',
        '--juror',
        'jdupont',
        ...bc01Sets({ C2: 'NA' }),
        `--observation=C2=${SECRET_J1}`,
        '--submit',
      ],
      { cwd: project.root },
    );
    expect(j1.code, j1.stderr).toBe(0);

    const t = grade(project, 'c001', 'BC01', '--juror', 'pmartin');
    const first = await t.waitFor(counter(1));
    expect(first).toContain('Double correction à l’aveugle — saisie de pmartin');
    expect(first).toContain('Réponses : 0/15');
    for (let n = 1; n <= TOTAL; n++) await answer(t, n, script[n - 1]);
    // The summary's last lines may arrive after its title: wait for them.
    const summary = await t.waitFor('[s] soumettre ma saisie (définitive)');
    expect(summary).not.toContain('[f] finaliser');
    // [s] asks first: anything but o/y keeps the entry a draft.
    t.send('s');
    await t.waitFor('Soumettre définitivement ? o/N');
    t.send('n');
    await t.waitFor('Soumission annulée : saisie en brouillon.');
    const draft = parse(
      (await project.read(`sessions/${project.session}/entries/c001/BC01/pmartin.yaml`)) ?? '',
    ) as EvaluationFile;
    expect(draft.status).not.toBe('submitted');
    t.send('s');
    await t.waitFor('Soumettre définitivement ? o/N');
    t.send('o');
    await t.waitFor('Saisie de pmartin soumise', { in: 'all' });
    expect((await t.exited).exitCode).toBe(0);

    // Nothing of J1's entry reached J2's terminal: not the observation, not J1's id.
    expect(t.output()).not.toContain(SECRET_J1);
    expect(t.output()).not.toContain('jdupont :');
    const entry = parse(
      (await project.read(`sessions/${project.session}/entries/c001/BC01/pmartin.yaml`)) ?? '',
    ) as EvaluationFile;
    expect(entry.status).toBe('submitted');
    expect(entry.results).toEqual(expected(TOTAL));
    expect(await readEvaluation(project)).toBeUndefined();

    // A submitted entry reopened on the terminal is not editable.
    const again = grade(project, 'c001', 'BC01', '--juror', 'pmartin');
    await again.waitFor('est soumise : elle ne se modifie plus');
    expect((await again.exited).exitCode).toBe(0);
  });

  it('certif reconcile on a terminal: both observations shown, decision and reason asked', async () => {
    for (const [juror, c, obs] of [
      ['jdupont', 'C2', SECRET_J1],
      ['pmartin', 'C4', 'Argumentaire trop général'],
    ] as const) {
      const r = await runInProcess(
        [
          'grade',
          'c001',
          'BC01',
          '--juror',
          juror,
          ...bc01Sets({ [c]: 'NA' }),
          `--observation=${c}=${obs}`,
          '--submit',
        ],
        { cwd: project.root },
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const t = spawnCertif(['reconcile', 'c001', 'BC01'], { cwd: project.root });
    running.push(t);
    // A screen arrives in several writes: wait for its last expected line, then check the rest.
    let screen = await t.waitFor('pmartin : Acquis');
    expect(screen).toContain('Écart 1/2');
    expect(screen).toContain('BC01.C2');
    expect(screen).toContain(`jdupont : Non acquis — « ${SECRET_J1} »`);
    t.send('n');
    await t.waitFor('Motif de la décision (obligatoire');
    t.send('Reformulation non observée' + keys.enter);
    screen = await t.waitFor('pmartin : Non acquis — « Argumentaire trop général »');
    expect(screen).toContain('Écart 2/2');
    // A decision without a reason is not kept.
    t.send('a');
    await t.waitFor('Motif de la décision (obligatoire');
    t.send(keys.enter);
    await t.waitFor('Un motif est obligatoire');
    t.send('a');
    await t.waitFor('Motif de la décision (obligatoire');
    t.send('Exemples chiffrés donnés à l’oral' + keys.enter);
    await t.waitFor('Rapprochement enregistré', { in: 'all' });
    expect((await t.exited).exitCode).toBe(0);

    const joint = parse(
      (await project.read(`sessions/${project.session}/evaluations/c001/BC01.yaml`)) ?? '',
    ) as {
      status: string;
      reconciliation: { competency: string; decision: string; reason: string }[];
    };
    expect(joint.status).toBe('draft');
    expect(joint.reconciliation.map((r) => [r.competency, r.decision, r.reason])).toEqual([
      ['C2', 'non_acquis', 'Reformulation non observée'],
      ['C4', 'acquis', 'Exemples chiffrés donnés à l’oral'],
    ]);
    const v = await runInProcess(['validate'], { cwd: project.root });
    expect(v.code, v.stdout).toBe(0);

    // Re-run with flags on a terminal: the replaced decisions are named, then asked; N keeps them.
    const flags = ['--decision', 'C2=acquis', '--reason', 'C2=Revu en commission'];
    const again = spawnCertif(
      [
        'reconcile',
        'c001',
        'BC01',
        ...flags,
        '--decision',
        'C4=acquis',
        '--reason',
        'C4=Exemples chiffrés donnés à l’oral',
      ],
      { cwd: project.root },
    );
    running.push(again);
    const asked = await again.waitFor('Remplacer ces décisions ? o/N', { in: 'all' });
    expect(asked).toContain('Ce rapprochement remplace 1 décision(s) du jury');
    expect(asked).toContain(
      'BC01.C2 : Non acquis (« Reformulation non observée ») → Acquis (« Revu en commission »)',
    );
    again.send('n');
    await again.waitFor('Rien n’a été remplacé', { in: 'all' });
    expect((await again.exited).exitCode).toBe(0);
    const kept = parse(
      (await project.read(`sessions/${project.session}/evaluations/c001/BC01.yaml`)) ?? '',
    ) as typeof joint;
    expect(kept.reconciliation[0]?.reason).toBe('Reformulation non observée');
    const yes = spawnCertif(
      [
        'reconcile',
        'c001',
        'BC01',
        ...flags,
        '--decision',
        'C4=acquis',
        '--reason',
        'C4=Exemples chiffrés donnés à l’oral',
      ],
      { cwd: project.root },
    );
    running.push(yes);
    await yes.waitFor('Remplacer ces décisions ? o/N', { in: 'all' });
    yes.send('o');
    await yes.waitFor('Rapprochement enregistré', { in: 'all' });
    expect((await yes.exited).exitCode).toBe(0);
    const replaced = parse(
      (await project.read(`sessions/${project.session}/evaluations/c001/BC01.yaml`)) ?? '',
    ) as typeof joint;
    expect(replaced.reconciliation[0]).toMatchObject({
      decision: 'acquis',
      reason: 'Revu en commission',
    });
  });

  it('refuses the joint evaluation on a terminal in a blind session (exit 1)', async () => {
    const t = grade(project, 'c001', 'BC01');
    await t.waitFor('l’évaluation commune ne se saisit pas directement', { in: 'all' });
    expect((await t.exited).exitCode).toBe(1);
  });
});

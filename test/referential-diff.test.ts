import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import {
  pairElements,
  similarity,
  SIMILARITY_THRESHOLD,
  type DiffEntry,
} from '../src/model/referential-diff.js';
import { repoRoot, runBinary, runInProcess } from './helpers/cli.js';

const bundled = path.join(repoRoot, 'referentials', 'relation-client.yaml');
let dir: string;
let original: string;

/** A copy of the bundled référentiel, changed by `edit`, written as `name`. */
async function variant(name: string, edit: (doc: Document) => void): Promise<string> {
  const doc = parseDocument(original);
  edit(doc);
  await writeFile(path.join(dir, name), doc.toString({ lineWidth: 0 }));
  return name;
}

const competencies = (doc: Document, bloc: number, activity: number) =>
  doc.getIn(['blocs', bloc, 'activities', activity, 'competencies'], true);

interface Report {
  identical: boolean;
  counts: { added: number; removed: number; changed: number };
  entries: DiffEntry[];
}

const diff = (a: string, b: string, ...more: string[]) =>
  runInProcess(['referential', 'diff', a, b, ...more], { cwd: dir });

/** Kind, change, codes and facts of each entry: what a reviewer reads first. */
const summary = (entries: readonly DiffEntry[]) =>
  entries.map((e) => ({
    kind: e.kind,
    change: e.change,
    old: e.old?.code,
    new: e.new?.code,
    facts: e.facts,
  }));

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-diff-')));
  original = await readFile(bundled, 'utf8');
  await writeFile(path.join(dir, 'old.yaml'), original);
  await writeFile(path.join(dir, 'same.yaml'), original);

  // One competency reworded (BC01.C2), one moved to another activity (BC01.C4, A2 → A1), one
  // removed (BC02.C3), and a bloc added (BC04).
  await variant('four.yaml', (doc) => {
    doc.setIn(
      ['blocs', 0, 'activities', 0, 'competencies', 1, 'label'],
      'Apporter des informations techniques précises à un client / un prospect sur un produit / un service pour l’orienter dans son achat',
    );
    const c4 = doc.getIn(['blocs', 0, 'activities', 1, 'competencies', 0], true);
    doc.deleteIn(['blocs', 0, 'activities', 1, 'competencies', 0]);
    doc.addIn(['blocs', 0, 'activities', 0, 'competencies'], c4);
    doc.deleteIn(['blocs', 1, 'activities', 0, 'competencies', 2]);
    doc.addIn(
      ['blocs'],
      doc.createNode({
        id: 'BC04',
        title: 'Pilotage de la performance commerciale',
        activities: [
          {
            id: 'A1',
            title: 'Analyse des indicateurs',
            competencies: [
              { id: 'C1', label: 'Construire un tableau de bord des ventes' },
              { id: 'C2', label: 'Analyser les écarts entre objectifs et réalisations' },
            ],
          },
        ],
        evaluation: {
          modalities: [{ id: 'M1', title: 'Étude de cas' }],
          criteria: [{ id: 'CR1', label: 'Les indicateurs retenus sont pertinents.' }],
        },
      }),
    );
  });

  // A renewal that renumbers BC01's competencies in reverse order, wording unchanged: the same
  // code now names another competency, so pairing by code would be wrong.
  await variant('renumbered.yaml', (doc) => {
    const seqs = [0, 1, 2, 3].map((a) => competencies(doc, 0, a));
    const items = seqs.flatMap((s) => (isSeq(s) ? (s.items as YAMLMap[]) : []));
    const ids = items.map((c) => String(c.get('id')));
    items.forEach((c, i) => {
      c.set('id', ids[ids.length - 1 - i]);
    });
  });

  // Renumbered and reworded at once: C1 and C2 swap codes, C1's wording changes too; BC03.C2 is
  // moved to bloc BC02 and reworded.
  await variant('swapped.yaml', (doc) => {
    const seq = competencies(doc, 0, 0);
    if (!isSeq(seq)) throw new Error('fixture');
    const [c1, c2] = seq.items as YAMLMap[];
    c1?.set('id', 'C2');
    c1?.set(
      'label',
      'Prendre en charge en face à face ou à distance un client / un prospect pour étudier sa demande et son besoin',
    );
    c2?.set('id', 'C1');
    const moved = doc.getIn(['blocs', 2, 'activities', 0, 'competencies', 1], true);
    if (!isMap(moved)) throw new Error('fixture');
    moved.set('id', 'C21');
    moved.set('label', `${String(moved.get('label'))} et en rendre compte`);
    doc.deleteIn(['blocs', 2, 'activities', 0, 'competencies', 1]);
    doc.addIn(['blocs', 1, 'activities', 0, 'competencies'], moved);
  });

  // Rules: jury, a bloc's validation rule, a threshold, the final evaluation's length.
  await variant('rules.yaml', (doc) => {
    doc.setIn(['jury', 'size'], 3);
    doc.setIn(['blocs', 1, 'validation'], doc.createNode({ rule: 'min_count', min_count: 18 }));
    doc.setIn(
      ['blocs', 0, 'activities', 0, 'competencies', 0, 'threshold'],
      'La demande est reformulée et validée avec le client',
    );
    doc.setIn(['final_evaluation', 'soutenance_minutes'], 40);
    doc.setIn(
      ['blocs', 0, 'evaluation', 'modalities', 0, 'description'],
      'Le/la candidat(e) élabore la fiche technique d’un produit imaginé.',
    );
    doc.setIn(
      ['final_evaluation', 'items', 1, 'label'],
      'Soutenance de 40 mn devant un jury de professionnels',
    );
  });

  // An activity split out: A5 takes C7 and C8 from A2 and brings a new competency C16.
  await variant('split.yaml', (doc) => {
    const a2 = competencies(doc, 0, 1);
    if (!isSeq(a2)) throw new Error('fixture');
    const moved = a2.items.slice(3, 5);
    a2.items.splice(3, 2);
    const a5 = doc.createNode({
      id: 'A5',
      title: 'Développement du portefeuille clients',
      competencies: [{ id: 'C16', label: 'Animer un réseau de prescripteurs et de partenaires' }],
    });
    if (!isMap(a5)) throw new Error('fixture');
    const seq = a5.get('competencies', true);
    if (isSeq(seq)) seq.items.unshift(...moved);
    doc.addIn(['blocs', 0, 'activities'], a5);
  });

  // BC03 recoded BC05 and retitled beyond recognition, its content unchanged.
  await variant('retitled.yaml', (doc) => {
    doc.setIn(['blocs', 2, 'id'], 'BC05');
    doc.setIn(['blocs', 2, 'title'], 'Pilotage des dossiers et de la conformité');
  });

  await writeFile(path.join(dir, 'broken.yaml'), original.replace('  size: 2\n', '  size: deux\n'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('certif referential diff', () => {
  it('reports exactly the four changes of a renewal, in JSON, exit 1', async () => {
    const r = await diff('old.yaml', 'four.yaml', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.identical).toBe(false);
    expect(report.counts).toEqual({ added: 1, removed: 1, changed: 2 });
    expect(summary(report.entries)).toEqual([
      {
        kind: 'competency',
        change: 'changed',
        old: 'BC01.C2',
        new: 'BC01.C2',
        facts: ['reworded'],
      },
      {
        kind: 'competency',
        change: 'changed',
        old: 'BC01.C4',
        new: 'BC01.C4',
        facts: ['moved-activity'],
      },
      { kind: 'competency', change: 'removed', old: 'BC02.C3', new: undefined, facts: [] },
      { kind: 'bloc', change: 'added', old: undefined, new: 'BC04', facts: [] },
    ]);
    const moved = report.entries[1];
    expect([moved?.old?.activity, moved?.new?.activity]).toEqual(['A2', 'A1']);
    expect(report.entries[3]?.contains?.map((c) => c.code)).toEqual([
      'BC04.A1',
      'BC04.C1',
      'BC04.C2',
      'BC04.CR1',
      'BC04.M1',
    ]);
  });

  it('reads as a review grouped by bloc, old → new wording (Markdown, through the binary)', async () => {
    const r = await runBinary(['referential', 'diff', 'old.yaml', 'four.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const md = r.stdout;
    expect(md).toContain('4 différence(s) : 1 ajout(s), 1 suppression(s), 2 modification(s).');
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## BC01 — Gestion de la relation client en face à face ou à distance',
      '## BC02 — Accompagnement à la coordination des informations et au développement commercial d’un service, d’une organisation',
      '## BC04 — Pilotage de la performance commerciale',
    ]);
    expect(md).toContain(
      '- **Compétence BC01.C2** — reformulation\n' +
        '  - avant : « Apporter des informations techniques à un client / un prospect sur un produit / un service pour l’aider et l’orienter dans son processus d’achat »\n' +
        '  - après : « Apporter des informations techniques précises à un client / un prospect sur un produit / un service pour l’orienter dans son achat »\n',
    );
    expect(md).toContain(
      '  - activité : BC01.A2 « Assistance à la vente » → BC01.A1 « Accueil, information, conseil auprès du client »',
    );
    expect(md).toContain('- **Compétence BC02.C3** — suppression');
    expect(md).toContain('- **Bloc BC04** — ajout');
    expect(md).toContain(
      '    - Compétence BC04.C2 « Analyser les écarts entre objectifs et réalisations »',
    );
    // Each change once: four top-level bullets.
    expect(md.split('\n').filter((l) => l.startsWith('- **'))).toHaveLength(4);
  });

  it('says so in English with --lang en', async () => {
    const r = await diff('old.yaml', 'four.yaml', '--lang', 'en');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('4 difference(s): 1 added, 1 removed, 2 changed.');
    expect(r.stdout).toContain('- **Competency BC01.C4** — moved to another activity');
    expect(r.stdout).toContain('  - before: “Apporter des informations techniques');
  });

  it('finds no difference in an identical copy: exit 0', async () => {
    const r = await diff('old.yaml', 'same.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout.toLowerCase()).toContain('aucune différence');
    const json = await diff('old.yaml', 'same.yaml', '--format', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ identical: true, entries: [] });
    const en = await diff('old.yaml', 'same.yaml', '--lang', 'en');
    expect(en.stdout).toContain('No difference');
  });

  it('pairs renumbered competencies by their wording: recoded, not added and removed', async () => {
    const r = await diff('old.yaml', 'renumbered.yaml', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    // 15 competencies reversed: C8 keeps its code, the 14 others change.
    expect(report.counts).toEqual({ added: 0, removed: 0, changed: 14 });
    for (const e of report.entries) {
      expect(e).toMatchObject({
        kind: 'competency',
        change: 'changed',
        facts: ['recoded'],
        pairedBy: 'wording',
      });
      expect(e.new?.label).toBe(e.old?.label);
    }
    expect(summary(report.entries)[0]).toMatchObject({ old: 'BC01.C1', new: 'BC01.C15' });
    const md = await diff('old.yaml', 'renumbered.yaml');
    expect(md.stdout).toContain('Nouveaux codes, formulation inchangée (14) :');
    expect(md.stdout).toContain(
      '| Compétence | BC01.C1 | BC01.C15 | Prendre en charge en face à face ou à distance un client / un prospect afin d’effectuer l’étude préalable de la demande, du besoin client |',
    );
    expect(md.stdout).not.toContain('- **Compétence');
  });

  it('reports a recoded and reworded competency, or a moved and reworded one, once with both facts', async () => {
    const r = await diff('old.yaml', 'swapped.yaml', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(summary(report.entries)).toEqual([
      {
        kind: 'competency',
        change: 'changed',
        old: 'BC01.C1',
        new: 'BC01.C2',
        facts: ['recoded', 'reworded'],
      },
      { kind: 'competency', change: 'changed', old: 'BC01.C2', new: 'BC01.C1', facts: ['recoded'] },
      {
        kind: 'competency',
        change: 'changed',
        old: 'BC03.C2',
        new: 'BC02.C21',
        facts: ['recoded', 'reworded', 'moved-bloc'],
      },
    ]);
    const first = report.entries[0];
    expect(first?.pairedBy).toBe('wording');
    expect(first?.similarity).toBeGreaterThanOrEqual(SIMILARITY_THRESHOLD);
  });

  it('reports a new activity once, with its new competency, and the competencies moved into it', async () => {
    const r = await diff('old.yaml', 'split.yaml', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(summary(report.entries)).toEqual([
      { kind: 'activity', change: 'added', old: undefined, new: 'BC01.A5', facts: [] },
      {
        kind: 'competency',
        change: 'changed',
        old: 'BC01.C7',
        new: 'BC01.C7',
        facts: ['moved-activity'],
      },
      {
        kind: 'competency',
        change: 'changed',
        old: 'BC01.C8',
        new: 'BC01.C8',
        facts: ['moved-activity'],
      },
    ]);
    expect(report.entries[0]?.contains).toEqual([
      {
        kind: 'competency',
        code: 'BC01.C16',
        label: 'Animer un réseau de prescripteurs et de partenaires',
      },
    ]);
  });

  it('pairs a bloc recoded and retitled by its content: one entry, nothing moved', async () => {
    const r = await diff('old.yaml', 'retitled.yaml', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(summary(report.entries)).toEqual([
      { kind: 'bloc', change: 'changed', old: 'BC03', new: 'BC05', facts: ['recoded', 'reworded'] },
    ]);
    expect(report.entries[0]).toMatchObject({ pairedBy: 'content', similarity: 1 });
    const md = await diff('old.yaml', 'retitled.yaml');
    expect(md.stdout).toContain('- **Bloc BC03 → BC05** — nouveau code, reformulation');
    expect(md.stdout).toContain(
      '  - rapprochés par leur contenu (100 % des compétences en commun)',
    );
  });

  it('reports jury, validation rule, threshold, modality and final evaluation changes', async () => {
    const r = await diff('old.yaml', 'rules.yaml', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(
      report.entries.map((e) => [e.kind, e.group, e.field ?? e.new?.code, e.newValue ?? e.facts]),
    ).toEqual([
      ['setting', '', 'jury', { size: 3, min_independent: 1 }],
      ['competency', 'BC01', 'BC01.C1', ['threshold']],
      ['modality', 'BC01', 'BC01.M1', ['description']],
      ['setting', 'BC02', 'validation', { rule: 'min_count', min_count: 18 }],
      // The final evaluation inherits the référentiel's jury: that change is reported once.
      ['setting', 'PP', 'soutenance_minutes', 40],
      ['final-item', 'PP', 'PP.E2', ['reworded']],
    ]);
    const md = await diff('old.yaml', 'rules.yaml');
    expect(md.stdout).toContain(
      '- **Composition du jury** : 2 juré(s), dont au moins 1 indépendant(s) → 3 juré(s), dont au moins 1 indépendant(s)',
    );
    expect(md.stdout).toContain(
      '- **Règle de validation** : toutes les compétences acquises → au moins 18 compétences acquises',
    );
    expect(md.stdout).toContain(
      '  - seuil : (aucun) → « La demande est reformulée et validée avec le client »',
    );
  });

  it('exits 1 with a positioned diagnostic when a file is invalid, 2 on usage errors', async () => {
    const broken = await diff('old.yaml', 'broken.yaml');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain('référentiel invalide : broken.yaml');
    expect(broken.stderr).toMatch(/broken\.yaml:10:\d+/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);

    const missing = await diff('old.yaml', 'nowhere.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Référentiel introuvable : nowhere.yaml');

    const one = await runInProcess(['referential', 'diff', 'old.yaml'], { cwd: dir });
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('argument obligatoire manquant');

    const format = await diff('old.yaml', 'same.yaml', '--format', 'html');
    expect(format.code).toBe(2);
  });
});

describe('wording similarity', () => {
  it('folds accents, case and French stopwords', () => {
    expect(similarity('Élaborer une proposition de vente', 'elaborer la PROPOSITION vente')).toBe(
      1,
    );
    expect(similarity('Construire un tableau de bord', 'Analyser les écarts')).toBe(0);
  });

  it('keeps a code that is kept: the same code with new wording is one rewording', () => {
    const pairs = pairElements(
      [{ key: 'B/C1', id: 'C1', text: 'Construire un tableau de bord' }],
      [{ key: 'B/C1', id: 'C1', text: 'Animer un réseau de prescripteurs' }],
    );
    expect(pairs.get(0)).toEqual({ index: 0, by: 'id', score: 0 });
  });

  it('pairs greedily by best score, the same regardless of ties', () => {
    const olds = [
      { key: 'B/C1', id: 'C1', text: 'suivre les clients et leur satisfaction' },
      { key: 'B/C2', id: 'C2', text: 'traiter les réclamations des clients' },
    ];
    const news = [
      { key: 'B/C1', id: 'C1', text: 'traiter les réclamations des clients avec soin' },
      { key: 'B/C2', id: 'C2', text: 'suivre les clients et mesurer leur satisfaction' },
    ];
    const pairs = pairElements(olds, news);
    expect([...pairs.entries()].map(([o, p]) => [o, p.index, p.by])).toEqual([
      [0, 1, 'wording'],
      [1, 0, 'wording'],
    ]);
  });
});

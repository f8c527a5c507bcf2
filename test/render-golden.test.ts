import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { usePrecompiledTemplates, type PrecompiledTemplates } from '../src/render/engine.js';
import { repoRoot, runInProcess, type RunResult } from './helpers/cli.js';
import { makeProject, type Project, type ProjectCandidate } from './helpers/project.js';

/**
 * Golden files of every rendered document, in Markdown and HTML, French and English, for one
 * deterministic session (fixed clock of runInProcess). `UPDATE_GOLDEN=1` rewrites them; read the
 * diff before committing it.
 */

const goldenDir = path.join(repoRoot, 'test/golden/render');
const update = process.env.UPDATE_GOLDEN === '1';

const ACCOMMODATIONS = ['Tiers-temps', 'Salle accessible en rez-de-chaussée'];
const OBS_C15 = 'Le questionnaire de satisfaction n’est pas exploité : aucun indicateur retenu.';
const OBS_C7 = 'Outil collaboratif cité mais non mis en œuvre.';
const OBS_C2 = 'Les informations techniques sur le produit restent approximatives.';
const OBS_C3 = 'Le questionnement ne fait pas émerger les attentes du client.';
const OBS_C4 = 'La circulation de l’information interne n’est pas décrite.';
const AMEND_REASON = 'Erreur de report depuis la grille papier.';
const DECISION_REASON = 'Compétence démontrée lors de la soutenance du dossier d’études.';

const candidates: ProjectCandidate[] = [
  {
    id: 'c001',
    familyName: 'Durand',
    givenName: 'Léa',
    blocs: ['BC01', 'BC02'],
    accommodations: ACCOMMODATIONS,
  },
  { id: 'c002', familyName: 'Martin', givenName: 'Hugo', blocs: ['BC01'] },
  { id: 'c003', familyName: 'Benali', givenName: 'Yanis', blocs: ['BC01', 'BC02'] },
  {
    id: 'c004',
    familyName: 'Lefèvre',
    givenName: 'Chloé',
    blocs: ['BC01', 'BC02', 'BC03', 'PP'],
  },
];

const ids = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
const BC01 = ids('C', 15);
const BC02 = ids('C', 20);
const BC03 = ids('C', 14);
const PP = ['E1', 'E2'];

/** `--set` flags: every id acquis except those in `na`. */
const sets = (all: readonly string[], na: readonly string[] = []): string[] =>
  all.flatMap((id) => ['--set', `${id}=${na.includes(id) ? 'non_acquis' : 'acquis'}`]);

let project: Project;

async function certif(...argv: string[]): Promise<RunResult> {
  const r = await runInProcess(argv, { cwd: project.root });
  if (r.code !== 0) {
    throw new Error(`certif ${argv.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

/** Rendered documents, by golden name (`<doc>.<lang>.<ext>`). */
const rendered = new Map<string, string>();

type Doc = readonly [name: string, argv: readonly string[]];

/** Documents while the deliberation is still open (a draft evaluation remains). */
const openDocs: readonly Doc[] = [
  ['grid-blank', ['render', 'grid', 'BC01']],
  ['grid-candidate', ['render', 'grid', 'BC02', '--candidate', 'c001']],
  ['grid-draft', ['render', 'grid', 'BC02', '--candidate', 'c003']],
  ['sheet', ['render', 'sheet', 'c001']],
  ['pv-open', ['render', 'pv']],
];

/** Documents once every evaluation is final and the deliberation is closed. */
const closedDocs: readonly Doc[] = [
  ['pv-closed', ['render', 'pv']],
  ['attestation', ['render', 'attestation', 'c001']],
  ['attestation-titre', ['render', 'attestation', 'c004']],
];

const variants = [
  ['fr', 'md'],
  ['en', 'md'],
  ['fr', 'html'],
  ['en', 'html'],
] as const;

/** The stylesheet every HTML document inlines (checked once, kept out of the golden files). */
const printCss = readFileSync(path.join(repoRoot, 'templates/html/print.css'), 'utf8');
const STYLE = /<style>\n([\s\S]*?)\n<\/style>/;
const inlinedCss: string[] = [];

/** The templates `npm run build` precompiled (the global setup builds dist/). */
const built = (await import(
  pathToFileURL(path.join(repoRoot, 'dist/render/templates.js')).href
)) as PrecompiledTemplates;
/** Every document again, rendered with those templates: it must be the same text. */
const renderedFromBuild = new Map<string, { compiled: string; precompiled: string }>();

/** Statistics pages: not golden files (test/stats.test.ts checks them), but built templates too. */
const statsDocs: readonly Doc[] = [
  ['stats', ['stats']],
  ['stats-qualiopi', ['stats', '--qualiopi']],
  ['stats-agreement', ['stats', '--agreement']],
];

async function bothWays(argv: readonly string[]): Promise<string> {
  const compiled = (await certif(...argv)).stdout;
  usePrecompiledTemplates(built);
  try {
    const precompiled = (await certif(...argv)).stdout;
    // Numbered: the PV is rendered twice with the same arguments (open, then closed).
    renderedFromBuild.set(`${renderedFromBuild.size + 1}. ${argv.join(' ')}`, {
      compiled,
      precompiled,
    });
  } finally {
    usePrecompiledTemplates(undefined);
  }
  return compiled;
}

async function renderAll(docs: readonly Doc[]): Promise<void> {
  for (const [name, argv] of docs) {
    for (const [lang, format] of variants) {
      let text = await bothWays([...argv, '--format', format, '--lang', lang]);
      if (format === 'html') {
        inlinedCss.push(STYLE.exec(text)?.[1] ?? '');
        text = text.replace(STYLE, '<style>\n/* templates/html/print.css */\n</style>');
      }
      rendered.set(`${name}.${lang}.${format}`, text);
    }
  }
}

beforeAll(async () => {
  project = await makeProject({
    session: 'juin-2026',
    date: '2026-06-15',
    jurors: [
      { id: 'jdupont', name: 'Jeanne Dupont', independent: true },
      { id: 'pmartin', name: 'Paul Martin', independent: false },
      { id: 'sroux', name: 'Sophie Roux', independent: true },
    ],
    juries: {
      BC01: ['jdupont', 'pmartin'],
      BC02: ['sroux', 'pmartin'],
      BC03: ['jdupont', 'pmartin'],
      PP: ['jdupont', 'sroux'],
    },
    candidates,
  });
  const doc = parseDocument(await readFile(project.sessionFile, 'utf8'));
  doc.set('title', 'Session de juin 2026');
  doc.set('centre', doc.createNode({ name: 'Centre de formation Horizon', city: 'Rouen' }));
  doc.setIn(['jurors', 0, 'organisation'], 'Dupont Conseil');
  doc.setIn(['jurors', 1, 'organisation'], 'Centre de formation Horizon');
  doc.setIn(['jurors', 2, 'organisation'], 'Transports Roux');
  await writeFile(project.sessionFile, doc.toString({ lineWidth: 0 }));
  await certif('validate');

  // c001: BC01 validated; BC02 with two non acquis, one amended back to acquis → partial.
  await certif('grade', 'c001', 'BC01', ...sets(BC01), '--finalize', '--by', 'jdupont,pmartin');
  await certif(
    'grade',
    'c001',
    'BC02',
    ...sets(BC02, ['C7', 'C15']),
    '--observation',
    `C7=${OBS_C7}`,
    '--observation',
    `C15=${OBS_C15}`,
    '--finalize',
    '--by',
    'sroux,pmartin',
  );
  await certif(
    'amend',
    'c001',
    'BC02',
    '--set',
    'C7=acquis',
    '--reason',
    AMEND_REASON,
    '--by',
    'sroux',
  );
  // c002: one non acquis; the jury will decide otherwise, with a reason.
  await certif(
    'grade',
    'c002',
    'BC01',
    ...sets(BC01, ['C2']),
    '--observation',
    `C2=${OBS_C2}`,
    '--finalize',
    '--by',
    'jdupont,pmartin',
  );
  // c003: BC01 not validated; BC02 a draft graded up to C9 (later not validated either).
  await certif(
    'grade',
    'c003',
    'BC01',
    ...sets(BC01, ['C3']),
    '--observation',
    `C3=${OBS_C3}`,
    '--finalize',
    '--by',
    'jdupont,pmartin',
  );
  await certif(
    'grade',
    'c003',
    'BC02',
    ...sets(BC02.slice(0, 9), ['C4']),
    '--observation',
    `C4=${OBS_C4}`,
  );
  // c004: everything acquired → titre obtenu.
  await certif('grade', 'c004', 'BC01', ...sets(BC01), '--finalize', '--by', 'jdupont,pmartin');
  await certif('grade', 'c004', 'BC02', ...sets(BC02), '--finalize', '--by', 'sroux,pmartin');
  await certif('grade', 'c004', 'BC03', ...sets(BC03), '--finalize', '--by', 'jdupont,pmartin');
  await certif('grade', 'c004', 'PP', ...sets(PP), '--finalize', '--by', 'jdupont,sroux');
  await certif(
    'deliberate',
    '--candidate',
    'c002',
    '--bloc',
    'BC01',
    '--decision',
    'valide',
    '--reason',
    DECISION_REASON,
  );
  await certif('deliberate', '--accept');
  await renderAll(openDocs);

  await certif(
    'grade',
    'c003',
    'BC02',
    ...sets(BC02.slice(9)),
    '--finalize',
    '--by',
    'sroux,pmartin',
  );
  await certif('deliberate', '--accept');
  await certif(
    'deliberate',
    '--close',
    '--members',
    'Marie Leroy, Jeanne Dupont, Sophie Roux',
    '--place',
    'Rouen',
    '--date',
    '2026-06-19',
  );
  await certif('validate');
  await renderAll(closedDocs);
  for (const [, argv] of statsDocs)
    for (const [lang, format] of variants)
      await bothWays([...argv, '--format', format, '--lang', lang]);
}, 60_000);

afterAll(async () => {
  await project.cleanup();
});

function golden(name: string, actual: string): string {
  const file = path.join(goldenDir, name);
  if (update) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, actual);
  }
  return readFileSync(file, 'utf8');
}

const get = (name: string): string => {
  const text = rendered.get(name);
  if (text === undefined) throw new Error(`not rendered: ${name}`);
  return text;
};

const names = [...openDocs, ...closedDocs].flatMap(([doc]) =>
  variants.map(([lang, format]) => `${doc}.${lang}.${format}`),
);

describe('rendered documents equal their golden files', () => {
  it.each(names)('%s', (name) => {
    const actual = get(name);
    expect(actual).toBe(golden(name, actual));
  });

  it('are the same with the templates precompiled by the build (dist/render/templates.js)', () => {
    // Golden documents in both languages and formats, and the three statistics pages.
    expect(renderedFromBuild.size).toBe((names.length / variants.length + 3) * variants.length);
    for (const [argv, { compiled, precompiled }] of renderedFromBuild)
      expect(precompiled, `certif ${argv}`).toBe(compiled);
  });

  it('every HTML document inlines templates/html/print.css verbatim', () => {
    expect(inlinedCss).toHaveLength(names.filter((n) => n.endsWith('.html')).length);
    for (const css of inlinedCss) expect(css.trimEnd()).toBe(printCss.trimEnd());
  });
});

describe('what a jury secretary relies on', () => {
  const hashOf = async (candidate: string, bloc: string): Promise<string> => {
    const text = await project.read(`sessions/juin-2026/evaluations/${candidate}/${bloc}.yaml`);
    const hash = /^hash: (sha256:[0-9a-f]{64})$/m.exec(text ?? '')?.[1];
    if (!hash) throw new Error(`no hash in ${candidate}/${bloc}`);
    return hash;
  };

  it.each(variants)('attestations never show the accommodations (%s, %s)', (lang, format) => {
    for (const doc of ['attestation', 'attestation-titre']) {
      const text = get(`${doc}.${lang}.${format}`);
      for (const a of ACCOMMODATIONS) expect(text).not.toContain(a);
      expect(text).not.toMatch(/Tiers|aménagement|accommodation/i);
    }
  });

  it('every attestation of the session (--all) is free of accommodations', async () => {
    for (const format of ['md', 'html']) {
      const r = await certif('render', 'attestation', '--all', '--format', format);
      expect(r.stdout).toContain('Durand Léa');
      for (const a of ACCOMMODATIONS) expect(r.stdout).not.toContain(a);
    }
  });

  it.each(variants)('grids for the candidate show the accommodations (%s, %s)', (lang, format) => {
    const text = get(`grid-candidate.${lang}.${format}`);
    expect(text).toContain('Tiers-temps');
    expect(text).toContain('Salle accessible en rez-de-chaussée');
  });

  it('the PV carries the référentiel hash of the session', async () => {
    const session = await project.read('sessions/juin-2026/session.yaml');
    const hash = /hash: (sha256:[0-9a-f]{64})/.exec(session ?? '')?.[1];
    expect(hash).toBeDefined();
    for (const [lang, format] of variants) {
      expect(get(`pv-open.${lang}.${format}`)).toContain(hash);
      expect(get(`pv-closed.${lang}.${format}`)).toContain(hash);
    }
  });

  it('the closed PV carries the digest of the evaluations recorded at closing', async () => {
    const delib = await project.read('sessions/juin-2026/deliberation.yaml');
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(delib ?? '')?.[1];
    expect(digest).toBeDefined();
    expect(delib).toMatch(/evaluations: 9$/m);
    for (const [lang, format] of variants) {
      const text = get(`pv-closed.${lang}.${format}`);
      expect(text).toContain(digest);
      expect(text).toContain('(9)');
      expect(text).not.toMatch(/PROJET|DRAFT/);
    }
    expect(get('pv-open.fr.md')).toContain('**PROJET — délibération non close**');
  });

  it('the sheet carries the hash of each final evaluation', async () => {
    const bc01 = await hashOf('c001', 'BC01');
    const bc02 = await hashOf('c001', 'BC02');
    for (const [lang, format] of variants) {
      const text = get(`sheet.${lang}.${format}`);
      expect(text).toContain(bc01);
      expect(text).toContain(bc02);
    }
  });

  it('the closed PV counts one titre, two partial validations, one not validated', () => {
    // The final evaluation (PP) has its own column; "validated" lists blocs only.
    const md = get('pv-closed.fr.md');
    expect(md).toContain('| Titre obtenu | 1 |');
    expect(md).toContain('| Validation partielle | 2 |');
    expect(md).toContain('| Non validé | 1 |');
    expect(md).toContain('| Absent(e) | 0 |');
    expect(md).toContain('| Totaux | 4 |');
    expect(md).toContain(`Motif : ${DECISION_REASON}`);
    expect(md).toMatch(
      /\| Lefèvre Chloé \(c004\) \|.*\*\*Titre obtenu\*\* \(BC01, BC02, BC03\) \|/,
    );
    expect(md).toMatch(/\| Durand Léa \(c001\) \|.*\*\*Validation partielle\*\* \(BC01\) \|/);
    expect(md).toMatch(/\| Martin Hugo \(c002\) \|.*\*\*Validation partielle\*\* \(BC01\) \|/);
    expect(md).toMatch(/\| Benali Yanis \(c003\) \|.*\*\*Non validé\*\* \|/);
  });

  it('the sheet shows the amendment: previous value, who, when and why', () => {
    const md = get('sheet.fr.md');
    expect(md).toContain(
      `- BC02.C7 : Non acquis → Acquis, par Sophie Roux, 12 juin 2026 — motif : ${AMEND_REASON}`,
    );
    expect(md).toContain('Décompte : 19 acquises, 1 non acquise sur 20');
    expect(md).toContain('Proposition au jury de certification : **bloc non validé**');
  });

  it('jurors appear with their independence on grids and sheets', () => {
    const md = get('grid-candidate.fr.md');
    expect(md).toContain(
      '| Jury | Sophie Roux, Transports Roux — indépendant(e) de l’autorité de certification ; Paul Martin, Centre de formation Horizon — membre de l’organisme |',
    );
    expect(get('sheet.en.md')).toContain('Sophie Roux — independent of the certifying body');
  });

  it('the draft grid says so, and shows what was graded so far', () => {
    const md = get('grid-draft.fr.md');
    expect(md).toContain('**BROUILLON — non finalisée**');
    expect(md).toMatch(/\| BC02\.C4 \|.*\| \\\[ \\\] \| \\\[X\\\] \| La circulation/);
    expect(md).toMatch(/\| BC02\.C10 \|.*\| \\\[ \\\] \| \\\[ \\\] \| {2}\|/);
  });

  // pvModel counts only candidates with an outcome: in a draft PV, a candidate awaiting a decision
  // (c003, draft evaluation) is in "Totaux 4" but in no row above it (1 + 2 + 0 + 0 = 3). The
  // totals table needs an "en attente de décision" row so that it adds up.
  it('the totals of a draft PV add up to the number of candidates', () => {
    const md = get('pv-open.fr.md');
    const counts = [...md.matchAll(/^\| (?!Totaux)[^|]+ \| (\d+) \|$/gm)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
  });

  // The brief of the design (§2, §3) and the jury's expectations: the fiche « résultats » is read by
  // the jury de certification, who must know the evaluation conditions were adapted. sheetUnitModel /
  // renderSheet pass only { id, name } for the candidate and templates/{md,html}/sheet.hbs have no
  // accommodations row, so the sheet never mentions them.
  it('the result sheet shows the candidate’s accommodations', () => {
    expect(get('sheet.fr.md')).toContain('Tiers-temps');
  });
});

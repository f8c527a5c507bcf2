import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseDocument } from 'yaml';
import { csvCell } from '../src/export/csv.js';
import { runBinary, runInProcess, type RunResult } from './helpers/cli.js';

const standards = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  'fixtures',
  'standards',
);
const readJson = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(standards, name), 'utf8'));

/** RFC 3339 date-time, as JSON Schema's `date-time` format means it. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The formats the two standards use, checked for real (ajv-formats is not installed). */
function addFormats(ajv: Ajv | Ajv2019): void {
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)),
  });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('uri', {
    type: 'string',
    validate: (s: string) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(s) && URL.canParse(s),
  });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
}

/**
 * The CASE schema has no `$schema` and uses `definitions`: draft-07 style, so the default Ajv
 * class. Not strict: its generator wrote `additionalProperties` objects with unknown keywords.
 */
function caseValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(readJson('case-v1p0-cfpackage.schema.json') as object);
}

/** The OB3 schema declares draft 2019-09. */
function ob3Validator(): ValidateFunction {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(readJson('ob3-achievementcredential.schema.json') as object);
}

/** A CSV as a spreadsheet would read it: `;`, BOM dropped, RFC 4180 quotes. */
function readCsv(text: string): string[][] {
  return parseCsv(text, { delimiter: ';', bom: true });
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Terms of the first context, https://www.w3.org/ns/credentials/v2 (VC Data Model 2.0), that a
 * credential may use besides those of the OB3 context file.
 */
const VC_V2_TERMS = [
  '@context',
  'id',
  'type',
  'name',
  'description',
  'issuer',
  'credentialSubject',
  'validFrom',
  'validUntil',
  'proof',
  'credentialStatus',
  'credentialSchema',
  'evidence',
  'termsOfUse',
  'refreshService',
];
const VC_V2_TYPES = ['VerifiableCredential'];

/**
 * Keys and types of a credential that the contexts do not define: for each node, the OB3
 * context's top-level terms, the terms scoped to the node's own types, and the VC v2 terms.
 */
function undefinedTerms(doc: Json): string[] {
  const context = (readJson('ob3-context-3.0.3.json') as { '@context': Record<string, Json> })[
    '@context'
  ];
  const top = Object.keys(context);
  const scoped = (type: string): string[] => {
    const def = context[type];
    if (def && typeof def === 'object' && !Array.isArray(def) && def['@context']) {
      return Object.keys(def['@context'] as Record<string, Json>);
    }
    return [];
  };
  const out: string[] = [];
  const walk = (node: Json, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((x, i) => {
        walk(x, `${at}/${i}`);
      });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const rawTypes = node.type;
    const types = (Array.isArray(rawTypes) ? rawTypes : [rawTypes]).filter(
      (t): t is string => typeof t === 'string',
    );
    for (const t of types) if (!top.includes(t) && !VC_V2_TYPES.includes(t)) out.push(`${at}@${t}`);
    const allowed = new Set([...top, ...VC_V2_TERMS, ...types.flatMap(scoped)]);
    for (const [key, value] of Object.entries(node)) {
      if (!allowed.has(key)) out.push(`${at}/${key}`);
      if (key !== '@context') walk(value, `${at}/${key}`);
    }
  };
  walk(doc, '');
  return out;
}

let root: string;
let demo: string;
const certif = (argv: readonly string[]): Promise<RunResult> => runInProcess(argv, { cwd: demo });
const bin = (argv: readonly string[]): Promise<RunResult> => runBinary(argv, { cwd: demo });

interface CaseItem {
  identifier: string;
  uri: string;
  fullStatement: string;
  humanCodingScheme: string;
  CFItemType: string;
  CFItemTypeURI: { identifier: string };
  lastChangeDateTime: string;
  alternativeLabel?: string;
  notes?: string;
}
interface CaseAssociation {
  associationType: string;
  originNodeURI: { identifier: string };
  destinationNodeURI: { identifier: string };
}
interface CaseRubric {
  title: string;
  CFRubricCriteria: {
    category: string;
    CFItemURI: { identifier: string };
    CFRubricCriterionLevels: { identifier: string; quality: string }[];
  }[];
}
interface CasePackage {
  CFDocument: {
    identifier: string;
    lastChangeDateTime: string;
    version: string;
    officialSourceURL?: string;
  };
  CFItems: CaseItem[];
  CFAssociations: CaseAssociation[];
  CFRubrics: CaseRubric[];
  CFDefinitions: { CFItemTypes: { identifier: string; title: string }[] };
}
interface RefYaml {
  blocs: {
    id: string;
    activities: { id: string; competencies: { id: string }[] }[];
    evaluation: { criteria: { id: string }[] };
  }[];
  final_evaluation?: { id: string; items: { id: string }[] };
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-export-')));
  // No Chromium for the demo: the exports do not need its PDFs, and they cost seconds.
  const r = await runInProcess(['demo', 'demo'], {
    cwd: root,
    env: { CERTIF_CHROMIUM: path.join(root, 'no-chromium') },
  });
  if (r.code !== 0) throw new Error(`certif demo failed:\n${r.stderr}`);
  demo = path.join(root, 'demo');
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('certif export case', () => {
  it('writes a CFPackage that validates against the CASE 1.0 schema, the same bytes every time', async () => {
    const first = await certif(['export', 'case']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const second = await bin(['export', 'case']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const validate = caseValidator();
    const pkg = JSON.parse(first.stdout) as CasePackage;
    expect(validate(pkg), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The validator does enforce the formats: a wall-clock-like date that is not RFC 3339 fails.
    const broken = JSON.parse(first.stdout) as CasePackage;
    broken.CFDocument.lastChangeDateTime = '20/06/2026';
    expect(validate(broken)).toBe(false);

    const out = await certif(['export', 'case', '--out', 'exports/case.json']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('exports/case.json');
    expect(await readFile(path.join(demo, 'exports', 'case.json'), 'utf8')).toBe(first.stdout);
  });

  it('has an item per bloc, activity, competency and criterion, each the child of its parent', async () => {
    const pkg = JSON.parse((await certif(['export', 'case'])).stdout) as CasePackage;
    const ref = parseYaml(
      await readFile(path.join(demo, 'referentials', 'relation-client.yaml'), 'utf8'),
    ) as RefYaml;
    const codes = pkg.CFItems.map((i) => i.humanCodingScheme);
    const expected = ref.blocs.flatMap((b) => [
      b.id,
      ...b.activities.flatMap((a) => [
        `${b.id}.${a.id}`,
        ...a.competencies.map((c) => `${b.id}.${c.id}`),
      ]),
      ...b.evaluation.criteria.map((c) => `${b.id}.${c.id}`),
    ]);
    // The final evaluation (PP) after the blocs, then its items.
    const fe = ref.final_evaluation;
    if (fe) expected.push(fe.id, ...fe.items.map((i) => `${fe.id}.${i.id}`));
    expect(codes).toEqual(expected);
    expect(codes).toEqual(expect.arrayContaining(['BC01', 'BC01.A1', 'BC01.C4', 'BC01.CR3']));
    const byCode = new Map(pkg.CFItems.map((i) => [i.humanCodingScheme, i]));
    expect(byCode.get('BC01')?.CFItemType).toBe('Bloc de compétences');
    expect(byCode.get('BC01.CR3')?.CFItemType).toBe('Critère d’évaluation');
    expect(byCode.get('BC02.C20')?.CFItemType).toBe('Compétence');
    expect(new Set(pkg.CFItems.map((i) => i.identifier)).size).toBe(pkg.CFItems.length);
    const types = new Map(pkg.CFDefinitions.CFItemTypes.map((t) => [t.identifier, t.title]));
    expect([...types.values()]).toEqual([
      'Bloc de compétences',
      'Activité',
      'Compétence',
      'Critère d’évaluation',
      'Évaluation finale',
      'Élément de l’évaluation finale',
    ]);
    for (const i of pkg.CFItems) expect(types.get(i.CFItemTypeURI.identifier)).toBe(i.CFItemType);

    const parentOf = new Map<string, string>();
    for (const a of pkg.CFAssociations) {
      expect(a.associationType).toBe('isChildOf');
      expect(parentOf.has(a.originNodeURI.identifier)).toBe(false);
      parentOf.set(a.originNodeURI.identifier, a.destinationNodeURI.identifier);
    }
    const id = (code: string) => byCode.get(code)?.identifier;
    expect(parentOf.size).toBe(pkg.CFItems.length);
    expect(parentOf.get(id('BC01') ?? '')).toBe(pkg.CFDocument.identifier);
    expect(parentOf.get(id('BC01.C4') ?? '')).toBe(id('BC01.A2'));
    expect(parentOf.get(id('BC01.CR3') ?? '')).toBe(id('BC01'));

    expect(parentOf.get(id('PP') ?? '')).toBe(pkg.CFDocument.identifier);
    expect(parentOf.get(id('PP.E2') ?? '')).toBe(id('PP'));
    expect(pkg.CFRubrics.map((r) => r.title.slice(0, 25))).toEqual(
      [...ref.blocs.map((b) => b.id), 'PP'].map((u) => `Grille d’évaluation ${u} — `.slice(0, 25)),
    );
    const bc01 = pkg.CFRubrics[0];
    expect(bc01?.CFRubricCriteria).toHaveLength(15);
    expect(bc01?.CFRubricCriteria[3]?.category).toBe('BC01.C4');
    expect(bc01?.CFRubricCriteria[3]?.CFItemURI.identifier).toBe(id('BC01.C4'));
    expect(bc01?.CFRubricCriteria[3]?.CFRubricCriterionLevels.map((l) => l.quality)).toEqual([
      'Acquis',
      'Non acquis',
    ]);
  });

  it('derives identifiers from the version, dates from --date, URIs from --base-uri', async () => {
    const base = JSON.parse((await certif(['export', 'case'])).stdout) as CasePackage;
    expect(base.CFDocument.lastChangeDateTime).toBe('1970-01-01T00:00:00Z');
    const text = await readFile(path.join(demo, 'referentials', 'relation-client.yaml'), 'utf8');
    await writeFile(
      path.join(root, 'v2.yaml'),
      text.replace('version: "1.0.0"', 'version: "2.0.0"'),
    );
    const v2 = JSON.parse((await certif(['export', 'case', '../v2.yaml'])).stdout) as CasePackage;
    expect(v2.CFDocument.version).toBe('2.0.0');
    expect(v2.CFItems[0]?.identifier).not.toBe(base.CFItems[0]?.identifier);

    const dated = await certif([
      'export',
      'case',
      '--date',
      '2024-03-01',
      '--base-uri',
      'https://case.exemple.fr/ims/case/v1p0',
    ]);
    const pkg = JSON.parse(dated.stdout) as CasePackage;
    expect(pkg.CFItems.every((i) => i.lastChangeDateTime === '2024-03-01T00:00:00Z')).toBe(true);
    expect(pkg.CFItems[0]?.uri).toBe(
      `https://case.exemple.fr/ims/case/v1p0/CFItems/${base.CFItems[0]?.identifier ?? ''}`,
    );
    expect(pkg.CFItems[0]?.identifier).toBe(base.CFItems[0]?.identifier);
    expect(caseValidator()(pkg)).toBe(true);

    // Published identifiers never change with certif's versions: the namespace and names are fixed.
    expect(base.CFDocument.identifier).toBe('c61aa4a9-b138-5c15-a228-266c9fde7cfd');
    expect(base.CFItems.find((i) => i.humanCodingScheme === 'BC01')?.identifier).toBe(
      '3d34326f-83c0-5866-99d7-7bf119c4f3c0',
    );

    const bad = await certif(['export', 'case', '--date', '01/03/2024']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Date invalide');
    expect(bad.stdout).toBe('');
  });
});

describe('certif export case on another référentiel, with hostile wording', () => {
  it('keeps codes, thresholds and the RNCP page, and every character of the wording', async () => {
    const source = path.join(
      path.dirname(new URL(import.meta.url).pathname),
      'fixtures',
      'referentials',
      'other-title.yaml',
    );
    const doc = parseDocument(await readFile(source, 'utf8'));
    const hostile = '=cmd|\' /C calc\'!A0 "guillemets" \\ </script>\u2028<b>fin</b>';
    doc.setIn(['blocs', 0, 'activities', 0, 'competencies', 0, 'label'], hostile);
    await writeFile(path.join(root, 'hostile.yaml'), doc.toString());
    const r = await certif(['export', 'case', '../hostile.yaml']);
    expect(r.code, r.stderr).toBe(0);
    const pkg = JSON.parse(r.stdout) as CasePackage;
    expect(caseValidator()(pkg)).toBe(true);
    expect(pkg.CFDocument.officialSourceURL).toBe(
      'https://www.francecompetences.fr/recherche/rncp/12345/',
    );
    const byCode = new Map(pkg.CFItems.map((i) => [i.humanCodingScheme, i]));
    expect(byCode.get('BC01')?.alternativeLabel).toBe('RNCP12345BC01');
    expect(byCode.get('BC01.C1')?.fullStatement).toBe(hostile);
    expect(byCode.get('BC01.C2')?.notes).toBeTruthy();
  });
});

interface Badge {
  '@context': string[];
  id: string;
  validFrom: string;
  issuer: { id: string; name: string };
  credentialSubject: {
    identifier: { identityHash: string }[];
    achievement: {
      id: string;
      humanCode: string;
      criteria: { narrative: string };
      alignment: { targetType: string; targetUrl: string; targetCode: string }[];
      resultDescription: {
        id: string;
        name: string;
        rubricCriterionLevel: { id: string; name: string }[];
        alignment: { targetUrl: string; targetCode: string }[];
      }[];
    };
    result: { resultDescription: string; achievedLevel: string; value: string }[];
  };
}

const EXPECTED_BADGES = [
  'c001-BC01.json',
  'c001-BC02.json',
  'c001-BC03.json',
  'c002-BC01.json',
  'c003-BC03.json',
  'c004-BC01.json',
  'c005-BC03.json',
];

describe('certif export badges', () => {
  it('refuses while the deliberation is open, and writes nothing', async () => {
    const r = await certif(['export', 'badges', '--out', 'badges-open']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('La délibération n’est pas close');
    expect(r.stderr).toContain('certif deliberate --close');
    expect(existsSync(path.join(demo, 'badges-open'))).toBe(false);
    const en = await certif(['export', 'badges', '--out', 'badges-open', '--lang', 'en']);
    expect(en.stderr).toContain('The deliberation is not closed');
  });

  it('(csv, meanwhile) warns that decisions are provisional and shows the draft waiting', async () => {
    const r = await certif(['export', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Délibération non close : les décisions sont provisoires');
    const c004 = readCsv(r.stdout).find((row) => row[1] === 'c004' && row[4] === 'BC02');
    expect(c004?.slice(6, 9)).toEqual([
      'BROUILLON — non finalisée',
      'en attente (évaluation en brouillon)',
      '',
    ]);
  });

  describe('once the deliberation is closed', () => {
    beforeAll(async () => {
      const sets = Array.from({ length: 11 }, (_, i) => ['--set', `C${i + 10}=A`]).flat();
      for (const argv of [
        ['grade', 'c004', 'BC02', ...sets, '--observation', 'C20=@SUM(1)'],
        ['grade', 'c004', 'BC02', '--finalize', '--by', 'sroux,pmartin'],
        ['deliberate', '--accept'],
        [
          'deliberate',
          '--close',
          '--members',
          'Jeanne Dupont, Paul Martin',
          '--date',
          '2026-06-20',
        ],
      ]) {
        const r = await certif(argv);
        if (r.code !== 0) throw new Error(`certif ${argv.join(' ')}: ${r.stderr}`);
      }
    });

    it('writes one valid OB3 credential per bloc the jury validated, byte-identical on re-export', async () => {
      const r = await certif(['export', 'badges', '--out', 'b1']);
      expect(r.code, r.stderr).toBe(0);
      // c002 BC03 was acquired at an earlier session; PP is not a bloc; c004 BC02 not validated.
      expect((await readdir(path.join(demo, 'b1'))).sort()).toEqual(EXPECTED_BADGES);
      expect(r.stderr).toContain('7 attestation(s) Open Badges 3.0, non signées');
      const again = await bin(['export', 'badges', '--out', 'b2']);
      expect(again.code, again.stderr).toBe(0);
      const validate = ob3Validator();
      for (const name of EXPECTED_BADGES) {
        const text = await readFile(path.join(demo, 'b1', name), 'utf8');
        expect(await readFile(path.join(demo, 'b2', name), 'utf8')).toBe(text);
        const badge = JSON.parse(text) as Badge;
        expect(validate(badge), `${name}: ${JSON.stringify(validate.errors, null, 2)}`).toBe(true);
        expect(badge['@context']).toEqual([
          'https://www.w3.org/ns/credentials/v2',
          'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        ]);
        expect(undefinedTerms(JSON.parse(text) as Json)).toEqual([]);
        expect(badge.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
        expect(badge.validFrom).toBe('2026-06-20T00:00:00Z');
        expect(badge.issuer.name).toBe('Centre de formation Horizon');
        expect(text).not.toContain('"proof"');
      }
      // The OB3 validator is not a rubber stamp: a credential without validFrom fails.
      const noDate = JSON.parse(
        await readFile(path.join(demo, 'b1', 'c001-BC01.json'), 'utf8'),
      ) as Partial<Badge>;
      delete noDate.validFrom;
      expect(validate(noDate)).toBe(false);
    });

    it('the term check catches a key the OB3 context does not define', () => {
      const text = readFileSync(path.join(demo, 'b1', 'c001-BC01.json'), 'utf8');
      const badge = JSON.parse(text) as { credentialSubject: Record<string, Json> };
      badge.credentialSubject.accommodations = ['Tiers-temps'];
      expect(undefinedTerms(badge as unknown as Json)).toEqual([
        '/credentialSubject/accommodations',
      ]);
    });

    it('never carries the accommodations', async () => {
      const session = parseYaml(
        await readFile(path.join(demo, 'sessions', 'demo-2026-06', 'session.yaml'), 'utf8'),
      ) as { candidates: { id: string; accommodations?: string[] }[] };
      const c002 = session.candidates.find((c) => c.id === 'c002');
      expect(c002?.accommodations?.length).toBeGreaterThan(0);
      const text = await readFile(path.join(demo, 'b1', 'c002-BC01.json'), 'utf8');
      expect(text).toContain('Minh Nguyen');
      for (const a of c002?.accommodations ?? []) expect(text).not.toContain(a);
      for (const name of EXPECTED_BADGES) {
        const t = await readFile(path.join(demo, 'b1', name), 'utf8');
        expect(t).not.toMatch(/aménagement|accommodation|Tiers-temps/i);
      }
    });

    it('aligns the bloc and its competencies to the CASE items and rubric levels of export case', async () => {
      const pkg = JSON.parse((await certif(['export', 'case'])).stdout) as CasePackage;
      const uriOf = new Map(pkg.CFItems.map((i) => [i.humanCodingScheme, i.uri]));
      const levelUris = new Set(
        pkg.CFRubrics.flatMap((r) =>
          r.CFRubricCriteria.flatMap((c) =>
            c.CFRubricCriterionLevels.map((l) => `urn:uuid:${l.identifier}`),
          ),
        ),
      );
      const badge = JSON.parse(
        await readFile(path.join(demo, 'b1', 'c003-BC03.json'), 'utf8'),
      ) as Badge;
      const a = badge.credentialSubject.achievement;
      expect(a.alignment).toEqual([
        expect.objectContaining({
          targetType: 'CFItem',
          targetUrl: uriOf.get('BC03'),
          targetCode: 'BC03',
        }),
      ]);
      expect(a.criteria.narrative).toContain('BC03.CR1');
      expect(a.resultDescription).toHaveLength(14);
      for (const rd of a.resultDescription) {
        expect(rd.alignment[0]?.targetUrl).toBe(uriOf.get(rd.alignment[0]?.targetCode ?? ''));
        for (const level of rd.rubricCriterionLevel) {
          const target = (level as unknown as { alignment: { targetUrl: string }[] }).alignment[0];
          expect(levelUris.has(target?.targetUrl ?? '')).toBe(true);
        }
      }
      // c003 BC03 was validated by the jury with C8 Non acquis: the result says so.
      const evaluation = parseYaml(
        await readFile(
          path.join(demo, 'sessions', 'demo-2026-06', 'evaluations', 'c003', 'BC03.yaml'),
          'utf8',
        ),
      ) as { results: Record<string, string | { verdict: string }> };
      const results = badge.credentialSubject.result;
      expect(results).toHaveLength(Object.keys(evaluation.results).length);
      const c8 = a.resultDescription.find((rd) => rd.name.startsWith('BC03.C8 '));
      const r8 = results.find((r) => r.resultDescription === c8?.id);
      expect(r8?.value).toBe('Non acquis');
      expect(r8?.achievedLevel).toBe(
        c8?.rubricCriterionLevel.find((l) => l.name === 'Non acquis')?.id,
      );
      expect(results.filter((r) => r.value === 'Non acquis')).toHaveLength(1);
    });

    it('writes only the asked candidate, and follows --base-uri like export case', async () => {
      const r = await certif([
        'export',
        'badges',
        '--candidate',
        'c004',
        '--out',
        'b3',
        '--base-uri',
        'https://case.exemple.fr/v1p0/',
        '--issuer',
        'did:web:horizon.exemple.fr',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(await readdir(path.join(demo, 'b3'))).toEqual(['c004-BC01.json']);
      const badge = JSON.parse(
        await readFile(path.join(demo, 'b3', 'c004-BC01.json'), 'utf8'),
      ) as Badge;
      expect(badge.issuer.id).toBe('did:web:horizon.exemple.fr');
      const pkg = JSON.parse(
        (await certif(['export', 'case', '--base-uri', 'https://case.exemple.fr/v1p0/'])).stdout,
      ) as CasePackage;
      const bc01 = pkg.CFItems.find((i) => i.humanCodingScheme === 'BC01');
      expect(badge.credentialSubject.achievement.alignment[0]?.targetUrl).toBe(bc01?.uri);
      expect(bc01?.uri).toMatch(/^https:\/\/case\.exemple\.fr\/v1p0\/CFItems\//);
    });

    it('says when --out cannot be written, exit 1, no stack', async () => {
      await writeFile(path.join(demo, 'a-file'), 'x');
      const r = await certif(['export', 'badges', '--out', 'a-file']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Impossible d’écrire a-file');
      expect(r.stderr).not.toContain('    at ');
      const csv = await certif(['export', 'csv', '--out', 'a-file/x.csv', '--lang', 'en']);
      expect(csv.code).toBe(1);
      expect(csv.stderr).toContain('Cannot write a-file/x.csv');
    });

    it('refuses an evaluation edited by hand after the deliberation, and writes nothing', async () => {
      const file = path.join(demo, 'sessions', 'demo-2026-06', 'evaluations', 'c001', 'BC01.yaml');
      const original = await readFile(file, 'utf8');
      try {
        await writeFile(file, original.replace(/C2: acquis/, 'C2: non_acquis'));
        expect(await readFile(file, 'utf8')).not.toBe(original);
        const r = await certif(['export', 'badges', '--out', 'b4']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('BC01.yaml');
        expect(existsSync(path.join(demo, 'b4'))).toBe(false);
      } finally {
        await writeFile(file, original);
      }
    });
  });
});

describe('certif export csv', () => {
  beforeAll(async () => {
    const file = path.join(demo, 'sessions', 'demo-2026-06', 'session.yaml');
    const doc = parseDocument(await readFile(file, 'utf8'));
    doc.setIn(['candidates', 0, 'family_name'], '=HYPERLINK("http://x")');
    doc.setIn(['candidates', 0, 'given_name'], '+33 6 12');
    await writeFile(file, doc.toString());
  });

  it('neutralises every cell a spreadsheet would run, and opens with the right columns', async () => {
    const r = await certif(['export', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect((await bin(['export', 'csv'])).stdout).toBe(r.stdout);
    expect(r.stdout.startsWith('\uFEFF')).toBe(true);
    // CRLF after every row, and no bare line break (no cell here spans lines).
    expect(r.stdout.split('\r\n').some((line) => /[\r\n]/.test(line))).toBe(false);
    expect(r.stdout.endsWith('\r\n')).toBe(true);
    const rows = readCsv(r.stdout);
    expect(rows[0]).toEqual([
      'session',
      'identifiant',
      'nom',
      'prénom',
      'bloc',
      'intitulé',
      'évaluation',
      'proposition',
      'décision du jury',
      'motif',
      'résultat du candidat',
    ]);
    const c001 = rows.filter((row) => row[1] === 'c001');
    expect(c001.map((row) => row[4])).toEqual(['BC01', 'BC02', 'BC03', 'PP']);
    expect(c001[0]?.[2]).toBe('\'=HYPERLINK("http://x")');
    expect(c001[0]?.[3]).toBe("'+33 6 12");
    expect(c001[0]?.slice(6)).toEqual(['finalisée', 'validé', 'validé', '', 'Titre obtenu']);
    const c003 = rows.find((row) => row[1] === 'c003' && row[4] === 'BC03');
    expect(c003?.slice(7, 10)).toEqual([
      'non validé',
      'validé',
      'C8 non acquise sur une seule situation ; le dossier de gestion démontre la compétence.',
    ]);
    const c002 = rows.find((row) => row[1] === 'c002' && row[4] === 'BC03');
    expect(c002?.[8]).toBe('acquis antérieurement');
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(r.stdout).not.toMatch(/Tiers-temps/);
  });

  it('one row per competency, observations neutralised', async () => {
    const r = await certif(['export', 'csv', '--by', 'competency', '--out', 'exports/c.csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const text = await readFile(path.join(demo, 'exports', 'c.csv'), 'utf8');
    const rows = readCsv(text);
    expect(rows[0]).toEqual([
      'session',
      'identifiant',
      'nom',
      'prénom',
      'bloc',
      'compétence',
      'intitulé',
      'résultat',
      'observation',
      'évaluation',
    ]);
    const c004 = rows.filter((row) => row[1] === 'c004' && row[4] === 'BC02');
    expect(c004).toHaveLength(20);
    const c20 = c004.find((row) => row[5] === 'BC02.C20');
    expect(c20?.slice(7)).toEqual(['Acquis', "'@SUM(1)", 'finalisée']);
    expect(c004.find((row) => row[5] === 'BC02.C4')?.[7]).toBe('Non acquis');
    // Every competency of every bloc attempted: 5 candidates, their blocs and PP items.
    const ref = parseYaml(
      await readFile(path.join(demo, 'referentials', 'relation-client.yaml'), 'utf8'),
    ) as RefYaml & { final_evaluation?: { items: unknown[] } };
    const count = (bloc: string) =>
      bloc === 'PP'
        ? (ref.final_evaluation?.items.length ?? 0)
        : (ref.blocs.find((b) => b.id === bloc)?.activities ?? []).flatMap((a) => a.competencies)
            .length;
    const attempted = {
      c001: ['BC01', 'BC02', 'BC03', 'PP'],
      c002: ['BC01', 'BC02'],
      c003: ['BC01', 'BC03'],
      c004: ['BC01', 'BC02'],
      c005: ['BC03', 'PP'],
    };
    const total = Object.values(attempted)
      .flat()
      .map(count)
      .reduce((a, b) => a + b, 0);
    expect(rows).toHaveLength(total + 1);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('English headers with --lang en', async () => {
    const r = await certif(['export', 'csv', '--lang', 'en']);
    const rows = readCsv(r.stdout);
    expect(rows[0]?.slice(0, 4)).toEqual(['session', 'id', 'family name', 'given name']);
    expect(rows[1]?.[8]).toBe('validated');
  });
});

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['=1+1', "'=1+1"],
    ['-5', "'-5"],
    ['+33', "'+33"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\tx', "'\tx"],
    ['\rx', '"\'\rx"'],
    ['a;b', '"a;b"'],
    ['dit "oui"', '"dit ""oui"""'],
    ['deux\nlignes', '"deux\nlignes"'],
    ['=A1;"x"', '"\'=A1;""x"""'],
  ])('%j → %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

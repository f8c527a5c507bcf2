import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeSessionFixture, type SessionFixture } from './helpers/session-fixture.js';

const SESSION = 'sessions/s1/session.yaml';

interface CandidateValue {
  id: string;
  family_name: string;
  given_name: string;
  blocs: string[];
  accommodations?: string[];
}

let fx: SessionFixture;
let empty: string;

beforeAll(async () => {
  fx = await makeSessionFixture({ candidates: [] });
  empty = fx.read(SESSION);
});

afterAll(() => {
  fx.cleanup();
});

afterEach(() => {
  fx.write(SESSION, empty);
});

const candidatesOnDisk = (): CandidateValue[] =>
  (parse(fx.read(SESSION)) as { candidates: CandidateValue[] }).candidates;

async function importCsv(name: string, text: string) {
  fx.write(name, text);
  return fx.run(['candidates', 'import', name]);
}

/** The `file:line:col  erreur  message  (rule)` lines of a stylish report. */
const reportLines = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => /^\S+:\d+:\d+ {2}/.test(l));

describe('certif candidates import: accepted shapes', () => {
  it('a CSV with a BOM and ";" (the French spreadsheet export)', async () => {
    const result = await importCsv(
      'bom.csv',
      '\uFEFFidentifiant;nom;prénom;blocs;aménagements\r\n' +
        'c001;Durand;Léa;BC01 BC02;tiers-temps\r\n' +
        'c002;N’Guyen-Lefèvre;Zoé;BC01,PP;\r\n',
    );
    expect(result.stderr).toContain('2 candidat(s) ajouté(s), 0 déjà présent(s)');
    expect(result.code).toBe(0);
    expect(candidatesOnDisk()).toEqual([
      {
        id: 'c001',
        family_name: 'Durand',
        given_name: 'Léa',
        blocs: ['BC01', 'BC02'],
        accommodations: ['tiers-temps'],
      },
      { id: 'c002', family_name: 'N’Guyen-Lefèvre', given_name: 'Zoé', blocs: ['BC01', 'PP'] },
    ]);
    expect((await fx.run(['validate'])).code).toBe(0);
  });

  it('a CSV without a BOM and with ","', async () => {
    const result = await importCsv(
      'comma.csv',
      'identifiant,nom,prénom,blocs,aménagements\n' +
        'c010,"Martin, dit Marty",Éric,BC03,\n' +
        'c011,Petit,Chloé,BC01 BC03,salle accessible\n',
    );
    expect(result.code).toBe(0);
    expect(candidatesOnDisk()).toEqual([
      { id: 'c010', family_name: 'Martin, dit Marty', given_name: 'Éric', blocs: ['BC03'] },
      {
        id: 'c011',
        family_name: 'Petit',
        given_name: 'Chloé',
        blocs: ['BC01', 'BC03'],
        accommodations: ['salle accessible'],
      },
    ]);
  });

  it('headers in another order, another case and without accents; aménagements split on |', async () => {
    const result = await importCsv(
      'order.csv',
      'PRENOM;Amenagements;NOM;Blocs;IDENTIFIANT\n' +
        'Inès;tiers-temps | salle accessible |  secrétaire lecteur ;Roux;bc02;c020\n' +
        'Hugo;;Blanc;BC01;c021\n',
    );
    expect(result.code).toBe(0);
    expect(candidatesOnDisk()).toEqual([
      {
        id: 'c020',
        family_name: 'Roux',
        given_name: 'Inès',
        blocs: ['BC02'],
        accommodations: ['tiers-temps', 'salle accessible', 'secrétaire lecteur'],
      },
      { id: 'c021', family_name: 'Blanc', given_name: 'Hugo', blocs: ['BC01'] },
    ]);
  });

  it('re-importing the same file adds nothing and leaves session.yaml byte for byte', async () => {
    const csv = '\uFEFFidentifiant;nom;prénom;blocs;aménagements\nc030;Lemaire;Jules;BC01;\n';
    expect((await importCsv('again.csv', csv)).code).toBe(0);
    const after = readFileSync(fx.sessionFile);
    const second = await importCsv('again.csv', csv);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('0 candidat(s) ajouté(s), 1 déjà présent(s)');
    expect(readFileSync(fx.sessionFile)).toEqual(after);
  });

  it('a row that changes a candidate already there is refused, nothing written', async () => {
    const csv = '\uFEFFidentifiant;nom;prénom;blocs\nc040;Morel;Nina;BC01\n';
    expect((await importCsv('first.csv', csv)).code).toBe(0);
    const after = readFileSync(fx.sessionFile);
    const changed = await importCsv(
      'changed.csv',
      '\uFEFFidentifiant;nom;prénom;blocs\nc041;Neuf;Jean;BC01\nc040;Morel;Nina;BC02\n',
    );
    expect(changed.code).toBe(1);
    expect(reportLines(changed.stderr)).toEqual([
      expect.stringMatching(/^changed\.csv:3:1 .*c040.*\(csv\/conflicting-candidate\)$/),
    ]);
    expect(readFileSync(fx.sessionFile)).toEqual(after);
  });

  it('keeps the comments of session.yaml', async () => {
    const commented = empty
      .replace(/^juries:/m, '# Jurys validés par la direction le 2 juin\njuries:')
      .replace(/^(jurors:)$/m, '$1 # liste arrêtée')
      .replace(/^( {4}name: Paul Martin)$/m, '$1 # salarié du centre');
    expect(commented).not.toBe(empty);
    fx.write(SESSION, commented);
    const result = await importCsv('c.csv', 'identifiant;nom;prénom;blocs\nc050;Faure;Lina;BC01\n');
    expect(result.code).toBe(0);
    const text = fx.read(SESSION);
    expect(text).toContain('# Jurys validés par la direction le 2 juin\njuries:');
    // yaml moves a comment after `jurors:` to the next line; its text stays.
    expect(text).toContain('# liste arrêtée');
    expect(text).toMatch(/^ {4}name: Paul Martin # salarié du centre$/m);
    // The comments init wrote are there too.
    for (const line of commented.split('\n').filter((l) => l.startsWith('#')))
      expect(text).toContain(line);
    expect(candidatesOnDisk().map((c) => c.id)).toEqual(['c050']);
  });
});

describe('certif candidates import: bad rows are reported by line, nothing is written', () => {
  const header = '\uFEFFidentifiant;nom;prénom;blocs;aménagements\n';
  const good = 'c100;Bon;Candidat;BC01;\n';
  const cases: [string, string, RegExp][] = [
    ['an empty nom', 'c101;;Léa;BC01;\n', /:3:2 .*« nom ».*\(csv\/empty-field\)/],
    ['an unknown bloc', 'c102;Dupond;Jean;BC01 BC09;\n', /:3:4 .*BC09.*\(csv\/unknown-bloc\)/],
    ['an id with "/"', 'c/103;A;B;BC01;\n', /:3:1 .*c\/103.*\(csv\/bad-id\)/],
    ['an id with "../"', '../c104;A;B;BC01;\n', /:3:1 .*\.\.\/c104.*\(csv\/bad-id\)/],
    [
      'a formula cell =HYPERLINK(…)',
      'c105;"=HYPERLINK(""http://x"")";B;BC01;\n',
      /:3:2 .*« = ».*\(csv\/formula\)/,
    ],
    ['a formula cell starting with +', 'c106;A;+33 6 12;BC01;\n', /:3:3 .*\(csv\/formula\)/],
    ['a formula cell starting with @', 'c107;A;B;BC01;@SUM(A1)\n', /:3:5 .*\(csv\/formula\)/],
    ['a duplicate id', 'c100;Bis;Candidat;BC01;\n', /:3:1 .*c100.*ligne 2.*\(csv\/duplicate\)/],
    ['a missing column', 'c108;A;B\n', /:3:1 .*\(csv\/mixed-separators\)/],
  ];

  it.each(cases)('%s', async (_, row, expected) => {
    const before = readFileSync(fx.sessionFile);
    const result = await importCsv('bad.csv', header + good + row);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rien n’a été écrit');
    const lines = reportLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bad\.csv:/);
    expect(lines[0]).toMatch(expected);
    expect(readFileSync(fx.sessionFile)).toEqual(before);
  });

  it('every bad row of one file at once, each with its line', async () => {
    const before = readFileSync(fx.sessionFile);
    const result = await importCsv('bad.csv', header + good + cases.map((c) => c[1]).join(''));
    expect(result.code).toBe(1);
    const lines = reportLines(result.stderr);
    expect(lines.map((l) => Number(/^bad\.csv:(\d+):/.exec(l)?.[1]))).toEqual([
      3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    expect(readFileSync(fx.sessionFile)).toEqual(before);
  });

  it('a missing header column is reported on line 1', async () => {
    const before = readFileSync(fx.sessionFile);
    const result = await importCsv('nohead.csv', 'identifiant;nom;blocs\nc1;A;BC01\n');
    expect(result.code).toBe(1);
    expect(reportLines(result.stderr)).toEqual([
      expect.stringMatching(/^nohead\.csv:1:1 .*prénom.*\(csv\/missing-header\)$/),
    ]);
    expect(readFileSync(fx.sessionFile)).toEqual(before);
  });

  it('a quote left open: exit 1, csv/syntax with a line, nothing written', async () => {
    const before = readFileSync(fx.sessionFile);
    const result = await importCsv(
      'open.csv',
      header + good + 'c110;"Durand;Léa;BC01;\nc111;Petit;Chloé;BC01;\n',
    );
    expect(result.code).toBe(1);
    const lines = reportLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^open\.csv:\d+:\d+ .*\(csv\/syntax\)$/);
    expect(result.stderr).toContain('guillemets');
    expect(readFileSync(fx.sessionFile)).toEqual(before);
  });

  // Regression test, fixed (src/project/candidates-csv.ts, csv/syntax): for a quote left open, the line reported is
  // where csv-parse gave up (the end of the file, here line 4), not the line where the quote was
  // opened (line 3); in a long file the user is sent to the last line.
  it('a quote left open is reported on the line where it was opened', async () => {
    const result = await importCsv(
      'open.csv',
      header + good + 'c110;"Durand;Léa;BC01;\nc111;Petit;Chloé;BC01;\n',
    );
    expect(reportLines(result.stderr)[0]).toMatch(/^open\.csv:3:/);
  });

  // Regression test, fixed (src/project/candidates-csv.ts, FORMULA): a cell starting with "-" is not refused,
  // although spreadsheets run it as a formula too (OWASP CSV injection: = + - @ tab CR), e.g.
  // -2+3+cmd|' /C calc'!A0.
  it('a formula cell starting with "-" is refused', async () => {
    const result = await importCsv('minus.csv', header + "c120;-2+3+cmd|' /C calc'!A0;B;BC01;\n");
    expect(result.code).toBe(1);
  });

  it('an empty file and a file with only a header', async () => {
    const before = readFileSync(fx.sessionFile);
    const a = await importCsv('empty.csv', '\uFEFF');
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('csv/empty');
    const b = await importCsv('head.csv', header);
    expect(b.code).toBe(0);
    expect(b.stderr).toContain('0 candidat(s) ajouté(s)');
    expect(readFileSync(fx.sessionFile)).toEqual(before);
  });
});

describe('certif candidates list', () => {
  beforeAll(() => {
    fx.write(
      'list.csv',
      '\uFEFFidentifiant;nom;prénom;blocs;aménagements\n' +
        'c200;Durand;Léa;BC01 BC02;tiers-temps|salle accessible\n' +
        'c201;Martin;Éric;BC03 PP;\n',
    );
  });

  it('prints one line per candidate, and the count on stderr', async () => {
    expect((await fx.run(['candidates', 'import', 'list.csv'])).code).toBe(0);
    const result = await fx.run(['candidates', 'list']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^c200\s+Durand Léa\s+BC01 BC02\s+\(aménagements\)$/);
    expect(lines[1]).toMatch(/^c201\s+Martin Éric\s+BC03 PP$/);
    expect(result.stderr).toContain('2 candidat(s) — session s1');
  });

  it('--format json gives the candidates as data, nothing else on stdout', async () => {
    expect((await fx.run(['candidates', 'import', 'list.csv'])).code).toBe(0);
    const result = await fx.run(['candidates', 'list', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        id: 'c200',
        family_name: 'Durand',
        given_name: 'Léa',
        blocs: ['BC01', 'BC02'],
        accommodations: ['tiers-temps', 'salle accessible'],
      },
      { id: 'c201', family_name: 'Martin', given_name: 'Éric', blocs: ['BC03', 'PP'] },
    ]);
  });

  it('an empty session lists nothing', async () => {
    const result = await fx.run(['candidates', 'list', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});

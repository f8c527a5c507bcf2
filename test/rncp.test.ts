import { execFile } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Io } from '../src/cli/io.js';
import { run } from '../src/cli/main.js';
import type { Referential } from '../src/model/types.js';
import { splitCompetencies } from '../src/rncp/text.js';
import { repoRoot, runBinary, runInProcess } from './helpers/cli.js';

/** Six real fiches of France Compétences' export (copy of shared/standards/rncp-export-sample.xml). */
const SAMPLE = path.join(repoRoot, 'test/fixtures/rncp/export-sample.xml');
const sampleXml = readFileSync(SAMPLE, 'utf8');

// ── An independent reading of the sample: string slicing on the XML text, no XML parser ──────

interface TextBloc {
  code: string;
  title: string;
  list: string;
}
interface TextFiche {
  number: string;
  title: string;
  blocs: TextBloc[];
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const field = (xml: string, name: string) =>
  decode(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1] ?? '');

function fichesOf(xml: string): TextFiche[] {
  return [...xml.matchAll(/<FICHE>([\s\S]*?)<\/FICHE>/g)].map((m) => {
    const f = m[1] ?? '';
    // Only the fiche's own blocs: CORRESPONDANCES also hold BLOC_COMPETENCES elements.
    const blocs = field(f, 'BLOCS_COMPETENCES');
    return {
      number: field(f, 'NUMERO_FICHE'),
      title: field(f, 'INTITULE'),
      blocs: [...blocs.matchAll(/<BLOC_COMPETENCES>([\s\S]*?)<\/BLOC_COMPETENCES>/g)].map((b) => ({
        code: field(b[1] ?? '', 'CODE'),
        title: field(b[1] ?? '', 'LIBELLE'),
        list: field(b[1] ?? '', 'LISTE_COMPETENCES'),
      })),
    };
  });
}

/** Competencies in a list, counted by the marks a reader sees: codes, dashes, or sentences. */
function countByMarks(list: string): number {
  const coded = list.match(/(?:^|\s{2})\s*(?:A\d\.?C\d+|C\.\d+)/g)?.length ?? 0;
  if (coded > 0) return coded;
  const bullets = list.match(/(?:^|\s{2})[-*]\s/g)?.length ?? 0;
  if (bullets > 0) return bullets;
  return (list.match(/\.\s{2,}\S/g)?.length ?? 0) + 1;
}

/** Counted by hand, reading each bloc of the sample. */
const handCounted: Record<string, number[]> = {
  RNCP34762: [7, 10, 10, 8, 5],
  RNCP35809: [9, 20, 6, 14],
  RNCP35625: [2, 5, 2, 5, 3, 3, 3, 5, 6, 4],
  RNCP35419: [5, 4, 4, 5],
  RNCP37488: [5, 4],
  RNCP40344: [6, 6, 5, 7],
};

const textFiches = fichesOf(sampleXml);

// ── Helpers ───────────────────────────────────────────────────────────────────────────────────

let root: string;

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-rncp-')));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function project(name: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(path.join(dir, 'referentials'), { recursive: true });
  return dir;
}

const competencies = (ref: Referential) =>
  ref.blocs.map((b) => b.activities.flatMap((a) => a.competencies));

interface JsonReport {
  diagnostics: { ruleId: string; line: number; message: string; file: string }[];
}

/** What a person does with the skeleton: fill every marked place, delete the marked comments. */
function fillIn(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*# À COMPLÉTER/.test(line))
    .map((line) =>
      line
        .replace('"À COMPLÉTER : intitulé de l’activité"', '"Intervention sur un réseau"')
        .replace('"À COMPLÉTER : seuil attendu (ou supprimez la ligne)"', '"Sans aide"')
        .replace(
          '"À COMPLÉTER : critère d’évaluation du bloc"',
          '"Le réseau fonctionne à la fin de l’épreuve."',
        ),
    )
    .join('\n');
}

// ── import ────────────────────────────────────────────────────────────────────────────────────

describe('certif rncp import, on each fiche of the sample', () => {
  it('the independent reading of the sample agrees with the hand count', () => {
    expect(textFiches.map((f) => f.number)).toEqual(Object.keys(handCounted));
    for (const f of textFiches) {
      expect(f.blocs.map((b) => countByMarks(b.list))).toEqual(handCounted[f.number]);
    }
  });

  for (const fiche of textFiches) {
    it(`${fiche.number}: blocs, codes, titles and competency counts match the fiche`, async () => {
      const dir = await project(`import-${fiche.number}`);
      const r = await runInProcess(['rncp', 'import', SAMPLE, '--fiche', fiche.number], {
        cwd: dir,
      });
      expect(r.stderr).toContain(`referentials/${fiche.number.toLowerCase()}.yaml`);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      const file = `referentials/${fiche.number.toLowerCase()}.yaml`;
      const text = await readFile(path.join(dir, file), 'utf8');
      const ref = parse(text) as Referential;

      expect(ref.rncp).toBe(fiche.number);
      expect(ref.title).toBe(fiche.title);
      expect(ref.blocs.map((b) => b.code)).toEqual(fiche.blocs.map((b) => b.code));
      expect(ref.blocs.map((b) => b.title)).toEqual(fiche.blocs.map((b) => b.title));
      expect(ref.blocs.map((b) => b.id)).toEqual(fiche.blocs.map((b) => b.code.slice(-4)));
      expect(competencies(ref).map((c) => c.length)).toEqual(
        fiche.blocs.map((b) => countByMarks(b.list)),
      );
      // Every competency label is text of the fiche's list, whitespace aside.
      const squash = (s: string) => s.replace(/\s+/g, ' ');
      competencies(ref).forEach((list, b) => {
        for (const c of list) expect(squash(fiche.blocs[b]?.list ?? '')).toContain(c.label);
      });

      // The skeleton fails validation, and only for the marked places: one for the jury, and
      // per bloc one activity title, one criterion and one threshold per competency.
      const v = await runInProcess(['validate', file, '--format', 'json'], { cwd: dir });
      expect(v.code).toBe(1);
      const report = JSON.parse(v.stdout) as JsonReport;
      expect(new Set(report.diagnostics.map((d) => d.ruleId))).toEqual(
        new Set(['referential/to-complete']),
      );
      const expected = 1 + competencies(ref).reduce((sum, list) => sum + 2 + list.length, 0);
      expect(report.diagnostics).toHaveLength(expected);
    });
  }

  it('keeps the codes the text gives (A1C1, A5.C1 → A5C1, C.10 → C10), else numbers C1, C2…', async () => {
    const dir = await project('codes');
    for (const n of ['RNCP34762', 'RNCP35419', 'RNCP40344']) {
      expect(
        (await runInProcess(['rncp', 'import', SAMPLE, '--fiche', n], { cwd: dir })).code,
      ).toBe(0);
    }
    const read = async (n: string) =>
      competencies(
        parse(await readFile(path.join(dir, `referentials/${n}.yaml`), 'utf8')) as Referential,
      ).map((list) => list.map((c) => c.id));
    const pge = await read('rncp34762');
    expect(pge[0]).toEqual(['A1C1', 'A1C2', 'A1C3', 'A1C4', 'A1C5', 'A1C6', 'A1C7']);
    expect(pge[4]).toEqual(['A5C1', 'A5C2', 'A5C3', 'A5C4', 'A5C5']);
    expect((await read('rncp35419'))[2]).toEqual(['C10', 'C11', 'C12', 'C13']);
    expect((await read('rncp40344'))[2]).toEqual(['C1', 'C2', 'C3', 'C4', 'C5']);
    // The introduction before the first code becomes the bloc's summary, not a competency.
    const text = await readFile(path.join(dir, 'referentials/rncp34762.yaml'), 'utf8');
    const ref = parse(text) as Referential;
    expect(ref.blocs[4]?.summary).toMatch(/^En mobilisant une analyse du contexte/);
    expect(ref.level).toBe(7);
  });

  it('a hand-filled import validates, and a session can be created on it', async () => {
    const dir = await project('filled');
    expect(
      (await runInProcess(['rncp', 'import', SAMPLE, '--fiche', 'RNCP37488'], { cwd: dir })).code,
    ).toBe(0);
    const file = path.join(dir, 'referentials/rncp37488.yaml');
    await writeFile(file, fillIn(await readFile(file, 'utf8')));
    const v = await runInProcess(['validate', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(v.stdout)).toMatchObject({ summary: { errors: 0, warnings: 0, infos: 0 } });
    expect(v.code).toBe(0);
    const init = await runInProcess(['init', 'sessions/s1', '--referential', 'rncp37488'], {
      cwd: dir,
    });
    expect(init.stderr).toContain('Session créée');
    expect(init.code).toBe(0);
    // Still in sync with its fiche.
    const check = await runInProcess(['rncp', 'check', SAMPLE, 'rncp37488'], { cwd: dir });
    expect(check.code).toBe(0);
  });

  it('the unfilled skeleton cannot be used for a session', async () => {
    const dir = await project('unfilled');
    await runInProcess(['rncp', 'import', SAMPLE, '--fiche', '37488'], { cwd: dir });
    const init = await runInProcess(
      ['init', 'sessions/s1', '--referential', 'referentials/rncp37488.yaml'],
      { cwd: dir },
    );
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('(referential/to-complete)');
  });

  it('refuses to overwrite without --force, and replaces with it', async () => {
    const dir = await project('force');
    const file = path.join(dir, 'referentials/mine.yaml');
    await writeFile(file, 'hand-made\n');
    const args = [
      'rncp',
      'import',
      SAMPLE,
      '--fiche',
      'RNCP37488',
      '--out',
      'referentials/mine.yaml',
    ];
    const r = await runInProcess(args, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('referentials/mine.yaml existe déjà');
    expect(r.stderr).toContain('--force');
    expect(await readFile(file, 'utf8')).toBe('hand-made\n');
    expect((await runInProcess([...args, '--force'], { cwd: dir })).code).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('rncp: RNCP37488');
  });

  it('an unknown fiche: exit 1, naming it and how to find numbers; nothing written', async () => {
    const dir = await project('unknown');
    const r = await runInProcess(['rncp', 'import', SAMPLE, '--fiche', 'RNCP99999'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Fiche RNCP99999 absente de l’export');
    expect(r.stderr).toContain('6 fiches lues');
    expect(r.stderr).toContain('certif rncp list');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const en = await runInProcess(['rncp', 'import', SAMPLE, '--fiche', '99999', '--lang', 'en'], {
      cwd: dir,
    });
    expect(en.stderr).toContain('Fiche RNCP99999 is not in the export');
    expect(
      await readFile(path.join(dir, 'referentials/rncp99999.yaml'), 'utf8').catch(() => 'none'),
    ).toBe('none');
  });

  it('malformed XML: exit 1 with file, line and column; nothing written', async () => {
    const dir = await project('malformed');
    await writeFile(
      path.join(dir, 'bad.xml'),
      '<?xml version="1.0"?>\n<FICHES>\n  <FICHE>\n    <NUMERO_FICHE>RNCP1</NUMERO>\n  </FICHE>\n</FICHES>\n',
    );
    const r = await runInProcess(['rncp', 'import', 'bad.xml', '--fiche', 'RNCP1'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^certif: bad\.xml:4:\d+ : XML mal formé : /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(
      await readFile(path.join(dir, 'referentials/rncp1.yaml'), 'utf8').catch(() => 'none'),
    ).toBe('none');
  });

  it('stops reading once the fiche is read: damage after it does not matter to import', async () => {
    const dir = await project('stop');
    const cut = sampleXml.indexOf('<NUMERO_FICHE>RNCP40344<');
    const end = sampleXml.indexOf('</FICHE>', cut) + '</FICHE>'.length;
    await writeFile(path.join(dir, 'cut.xml'), `${sampleXml.slice(0, end)}\n<FICHE><broken`);
    const imported = await runInProcess(['rncp', 'import', 'cut.xml', '--fiche', 'RNCP40344'], {
      cwd: dir,
    });
    expect(imported.code).toBe(0);
    // Reading the whole file (list, or a fiche that is not there) meets the damage.
    const listed = await runInProcess(['rncp', 'list', 'cut.xml'], { cwd: dir });
    expect(listed.code).toBe(1);
    expect(listed.stderr).toMatch(/cut\.xml:\d+:\d+ : XML mal formé/);
    expect(listed.stdout).toBe('');
  });

  it('HTML pasted into the fiche and a bloc without code still give a clean skeleton', async () => {
    const dir = await project('html');
    await writeFile(
      path.join(dir, 'html.xml'),
      `<?xml version="1.0" encoding="UTF-8"?>
<FICHES><VERSION_FLUX>4.1</VERSION_FLUX><FICHE>
<NUMERO_FICHE>RNCP123</NUMERO_FICHE><INTITULE>Titre &lt;b&gt;gras&lt;/b&gt;</INTITULE><ACTIF>Oui</ACTIF>
<NOMENCLATURE_EUROPE><NIVEAU>NIV5</NIVEAU><LIBELLE>Niveau 5</LIBELLE></NOMENCLATURE_EUROPE>
<BLOCS_COMPETENCES><BLOC_COMPETENCES><LIBELLE>Bloc sans code</LIBELLE>
<LISTE_COMPETENCES>&lt;p&gt;Le candidat sait :&lt;/p&gt;&lt;ul&gt;&lt;li&gt;R&amp;eacute;diger un devis&lt;/li&gt;&lt;li&gt;Conduire une r&amp;eacute;union&lt;/li&gt;&lt;/ul&gt;</LISTE_COMPETENCES>
<MODALITES_EVALUATION><![CDATA[<p>Mise en situation</p>]]></MODALITES_EVALUATION></BLOC_COMPETENCES></BLOCS_COMPETENCES>
</FICHE></FICHES>
`,
    );
    const r = await runInProcess(['rncp', 'import', 'html.xml', '--fiche', 'RNCP123'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    const ref = parse(
      await readFile(path.join(dir, 'referentials/rncp123.yaml'), 'utf8'),
    ) as Referential;
    expect(ref.title).toBe('Titre gras');
    expect(ref.level).toBe(5);
    expect(ref.blocs[0]?.code).toBeUndefined();
    expect(ref.blocs[0]?.summary).toBe('Le candidat sait :');
    expect(competencies(ref)[0]?.map((c) => [c.id, c.label])).toEqual([
      ['C1', 'Rédiger un devis'],
      ['C2', 'Conduire une réunion'],
    ]);
    expect(ref.blocs[0]?.evaluation.modalities[0]?.description).toBe('Mise en situation');
    const v = await runInProcess(['validate', '--format', 'json'], { cwd: dir });
    const ids = new Set((JSON.parse(v.stdout) as JsonReport).diagnostics.map((d) => d.ruleId));
    expect(ids).toEqual(new Set(['referential/to-complete']));
  });

  it('shows progress (bytes read / total) on stderr only when stderr is a terminal', async () => {
    const dir = await project('progress');
    const runWith = async (stderrIsTTY: boolean) => {
      let stderr = '';
      let stdout = '';
      const io: Io = {
        stdout: { write: (s: string) => ((stdout += s), true) },
        stderr: { write: (s: string) => ((stderr += s), true) },
        stdin: Readable.from([]),
        cwd: dir,
        env: {},
        stdoutIsTTY: false,
        stdinIsTTY: false,
        stderrIsTTY,
        now: () => new Date('2026-06-12T09:00:00Z'),
      };
      const code = await run(['rncp', 'import', SAMPLE, '--fiche', 'RNCP40344', '--out', '-'], io);
      return { code, stderr, stdout };
    };
    const tty = await runWith(true);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/\rLecture de l’export : [0-9.]+ \/ 0\.2 Mo \(\d+ %\)/);
    expect(tty.stdout).toContain('rncp: RNCP40344');
    expect(tty.stdout).not.toContain('Lecture');
    const pipe = await runWith(false);
    expect(pipe.stderr).not.toContain('Lecture');
    expect(pipe.stdout).toBe(tty.stdout);
  });
});

// ── streaming ─────────────────────────────────────────────────────────────────────────────────

describe('certif rncp import on a 200 MB export', () => {
  it('finds a fiche near the end with peak memory far below the file size', async () => {
    const dir = await project('big');
    const fiches = [...sampleXml.matchAll(/ {2}<FICHE>[\s\S]*?<\/FICHE>\n/g)].map((m) => m[0]);
    const wanted = fiches.find((f) => f.includes('<NUMERO_FICHE>RNCP40344<')) ?? '';
    const others = Buffer.from(fiches.filter((f) => f !== wanted).join(''));
    const big = path.join(dir, 'export.xml');
    const fd = openSync(big, 'w');
    writeSync(
      fd,
      '<?xml version="1.0" encoding="UTF-8"?>\n<FICHES>\n  <VERSION_FLUX>4.1</VERSION_FLUX>\n',
    );
    const copies = Math.ceil(200_000_000 / others.length);
    for (let i = 0; i < copies; i++) writeSync(fd, others);
    writeSync(fd, wanted);
    writeSync(fd, others);
    writeSync(fd, '</FICHES>\n');
    closeSync(fd);
    const size = statSync(big).size;
    expect(size).toBeGreaterThan(200_000_000);

    // Peak RSS of the child, printed as it exits.
    const preload = path.join(dir, 'maxrss.mjs');
    await writeFile(
      preload,
      "import { writeSync } from 'node:fs';\nprocess.on('exit', () => writeSync(2, `\\nMAXRSS_KB=${process.resourceUsage().maxRSS}\\n`));\n",
    );
    const started = Date.now();
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          preload,
          path.join(repoRoot, 'bin', 'certif.js'),
          'rncp',
          'import',
          big,
          '--fiche',
          'RNCP40344',
        ],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, NO_COLOR: '1' },
          encoding: 'utf8',
          timeout: 90_000,
        },
        (error, _stdout, err) => {
          resolve({ code: error ? Number(error.code) : 0, stderr: err });
        },
      );
    });
    const elapsed = Date.now() - started;
    expect(stderr).toContain('4 bloc(s), 24 compétence(s)');
    expect(code).toBe(0);
    const maxRssBytes = Number(/MAXRSS_KB=(\d+)/.exec(stderr)?.[1]) * 1024;
    expect(maxRssBytes).toBeGreaterThan(0);
    expect(maxRssBytes).toBeLessThan(150 * 1024 * 1024);
    expect(maxRssBytes).toBeLessThan(size / 1.3);
    const ref = parse(
      await readFile(path.join(dir, 'referentials/rncp40344.yaml'), 'utf8'),
    ) as Referential;
    expect(competencies(ref).map((c) => c.length)).toEqual(handCounted.RNCP40344);
    expect(elapsed).toBeLessThan(60_000);
    await rm(big);
  }, 120_000);
});

// ── list and check ────────────────────────────────────────────────────────────────────────────

describe('certif rncp list', () => {
  it('prints number, blocs, state and title of every fiche, sorted by number', async () => {
    const r = await runBinary(['rncp', 'list', SAMPLE], { cwd: root });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(
      textFiches.map((f) => f.number).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))),
    );
    expect(lines).toContain('RNCP37488\t2 bloc(s)\tactive\tCybersécurité');
    expect(lines.find((l) => l.startsWith('RNCP34762'))).toContain('\tinactive\t');
  });

  it('--format json gives every fiche with its blocs, for other tools', async () => {
    const r = await runInProcess(['rncp', 'list', SAMPLE, '--format', 'json'], { cwd: root });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      flux: string;
      count: number;
      fiches: {
        number: string;
        title: string;
        active: boolean;
        blocs: { code: string; title: string }[];
      }[];
    };
    const sorted = textFiches
      .map((f) => f.number)
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    expect(report.fiches.map((f) => f.number)).toEqual(sorted);
    expect(report.count).toBe(sorted.length);
    expect(report.flux).toBe('4.1');
    const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
    for (const f of textFiches) {
      const listed = report.fiches.find((x) => x.number === f.number);
      expect(listed?.title).toBe(squash(f.title));
      expect(listed?.blocs.map((b) => [b.code, b.title])).toEqual(
        f.blocs.map((b) => [b.code.toUpperCase(), squash(b.title)]),
      );
    }
    expect(report.fiches.find((f) => f.number === 'RNCP34762')?.active).toBe(false);
    // The same bytes twice: stable for a diff in CI.
    const again = await runInProcess(['rncp', 'list', SAMPLE, '--format', 'json'], { cwd: root });
    expect(again.stdout).toBe(r.stdout);
  });
});

describe('certif rncp check', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project('check');
    await runInProcess(['rncp', 'import', SAMPLE, '--fiche', 'RNCP40344'], { cwd: dir });
  });

  it('exit 0 when the référentiel matches its fiche', async () => {
    const r = await runInProcess(['rncp', 'check', SAMPLE, 'referentials/rncp40344.yaml'], {
      cwd: dir,
    });
    expect(r.stdout).toContain('aucun problème');
    expect(r.code).toBe(0);
  });

  it('finds a renamed bloc and a missing bloc, on their lines, in every format', async () => {
    const text = await readFile(path.join(dir, 'referentials/rncp40344.yaml'), 'utf8');
    const renamed = text.replace(
      'title: "Contribuer à l’organisation interne de l’établissement de soins vétérinaires"',
      'title: "Organisation interne de la clinique"',
    );
    expect(renamed).not.toBe(text);
    const start = renamed.indexOf('  - id: BC03');
    const end = renamed.indexOf('  - id: BC04');
    const modified = renamed.slice(0, start) + renamed.slice(end);
    await writeFile(path.join(dir, 'referentials/drift.yaml'), modified);
    const titleLine =
      modified.split('\n').findIndex((l) => l.includes('Organisation interne de la clinique')) + 1;
    const blocsLine = modified.split('\n').findIndex((l) => l === 'blocs:') + 1;

    const r = await runInProcess(
      ['rncp', 'check', SAMPLE, 'referentials/drift.yaml', '--format', 'json'],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.diagnostics.map((d) => [d.ruleId, d.line])).toEqual([
      ['rncp/bloc-missing', blocsLine],
      ['rncp/bloc-title-changed', titleLine],
    ]);
    expect(report.diagnostics[0]?.message).toContain('RNCP40344BC03');
    expect(report.diagnostics[1]?.message).toContain(
      'Contribuer à l’organisation interne de l’établissement de soins vétérinaires',
    );
    expect(report.diagnostics.every((d) => d.file === 'referentials/drift.yaml')).toBe(true);

    const stylish = await runBinary(['rncp', 'check', SAMPLE, 'referentials/drift.yaml'], {
      cwd: dir,
    });
    expect(stylish.code).toBe(1);
    expect(stylish.stdout).toContain(`referentials/drift.yaml:${titleLine}:`);
    expect(stylish.stdout).toContain('(rncp/bloc-title-changed)');
    const github = await runInProcess(
      ['rncp', 'check', SAMPLE, 'referentials/drift.yaml', '--format', 'github', '--lang', 'en'],
      { cwd: dir },
    );
    expect(github.stdout).toContain(
      `::error file=referentials/drift.yaml,line=${titleLine},col=12,`,
    );
    expect(github.stdout).toContain('title=rncp/bloc-missing::Bloc RNCP40344BC03');
  });

  it('reports a bloc code the fiche no longer has, and a fiche that is inactive', async () => {
    const text = await readFile(path.join(dir, 'referentials/rncp40344.yaml'), 'utf8');
    await writeFile(
      path.join(dir, 'referentials/extra.yaml'),
      text.replace('code: RNCP40344BC04', 'code: RNCP40344BC09'),
    );
    const extra = await runInProcess(
      ['rncp', 'check', SAMPLE, 'referentials/extra.yaml', '--format', 'json'],
      { cwd: dir },
    );
    expect((JSON.parse(extra.stdout) as JsonReport).diagnostics.map((d) => d.ruleId)).toEqual([
      'rncp/bloc-missing',
      'rncp/bloc-not-in-fiche',
    ]);

    await runInProcess(['rncp', 'import', SAMPLE, '--fiche', 'RNCP34762'], { cwd: dir });
    const inactive = await runInProcess(
      ['rncp', 'check', SAMPLE, 'referentials/rncp34762.yaml', '--format', 'json'],
      { cwd: dir },
    );
    expect(inactive.code).toBe(1);
    const d = (JSON.parse(inactive.stdout) as JsonReport).diagnostics;
    expect(d.map((x) => x.ruleId)).toEqual(['rncp/fiche-inactive']);
    expect(d[0]?.message).toContain('31/08/2024');
  });

  it('a bloc without code is compared by its id, with a warning naming the code to add', async () => {
    const text = await readFile(path.join(dir, 'referentials/rncp40344.yaml'), 'utf8');
    await writeFile(
      path.join(dir, 'referentials/nocode.yaml'),
      text.replace('    code: RNCP40344BC02\n', ''),
    );
    const r = await runInProcess(
      ['rncp', 'check', SAMPLE, 'referentials/nocode.yaml', '--format', 'json'],
      { cwd: dir },
    );
    // A warning alone does not fail the check, as with validate; --strict makes it fail.
    expect(r.code).toBe(0);
    const d = (JSON.parse(r.stdout) as JsonReport).diagnostics;
    expect(d.map((x) => x.ruleId)).toEqual(['rncp/bloc-no-code']);
    expect(d[0]?.message).toContain('RNCP40344BC02');
    const strict = await runInProcess(
      ['rncp', 'check', SAMPLE, 'referentials/nocode.yaml', '--strict'],
      { cwd: dir },
    );
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('(rncp/bloc-no-code)');
  });

  it('a référentiel without RNCP number, or with one absent from the export', async () => {
    const bundled = await runInProcess(
      ['rncp', 'check', SAMPLE, path.join(repoRoot, 'referentials/relation-client.yaml')],
      { cwd: dir },
    );
    expect(bundled.code).toBe(1);
    expect(bundled.stdout).toContain('(rncp/no-number)');
    const text = await readFile(path.join(dir, 'referentials/rncp40344.yaml'), 'utf8');
    await writeFile(
      path.join(dir, 'referentials/gone.yaml'),
      text.replace('rncp: RNCP40344', 'rncp: RNCP11111'),
    );
    const gone = await runInProcess(['rncp', 'check', SAMPLE, 'referentials/gone.yaml'], {
      cwd: dir,
    });
    expect(gone.code).toBe(1);
    expect(gone.stdout).toContain('La fiche RNCP11111 n’est pas dans l’export');
  });
});

describe('splitting LISTE_COMPETENCES', () => {
  it('does not split at a code cited inside a sentence, nor at a hyphen inside a word', () => {
    const coded = splitCompetencies(
      'A3C1. Optimiser le budget, voir A3C2 et A3C3.    A3C2. Définir les indicateurs',
    );
    expect(coded.items.map((c) => c.code)).toEqual(['A3C1', 'A3C2']);
    expect(coded.items[0]?.label).toBe('Optimiser le budget, voir A3C2 et A3C3.');
    const bulleted = splitCompetencies(
      '- Manipuler le matériel médico- chirurgical    - Choisir le coût - délai adapté',
    );
    expect(bulleted.items.map((c) => c.label)).toEqual([
      'Manipuler le matériel médico- chirurgical',
      'Choisir le coût - délai adapté',
    ]);
  });

  it('reads HTML lists and entities, and one sentence per competency otherwise', () => {
    expect(
      splitCompetencies('<ul><li>Accueillir&nbsp;le client</li><li>Vendre</li></ul>').items,
    ).toEqual([{ label: 'Accueillir le client' }, { label: 'Vendre' }]);
    expect(splitCompetencies('Gérer les stocks.    Organiser les plannings.').items).toEqual([
      { label: 'Gérer les stocks.' },
      { label: 'Organiser les plannings.' },
    ]);
    expect(splitCompetencies('   ').style).toBe('empty');
  });
});

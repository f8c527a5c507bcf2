import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { version } from '../src/cli/version.js';
import { repoRoot, runBinary, runInProcess, type RunResult } from './helpers/cli.js';

const brokenDir = 'test/fixtures/referentials/broken';
const goldenDir = path.join(repoRoot, 'test/golden/validate');
const update = process.env.UPDATE_GOLDEN === '1';

/** Every case of `broken/`: one problem each, except `crlf-valid`, which is valid. */
const cases = [
  'syntax-error',
  'duplicate-key',
  'unknown-key',
  'missing-title',
  'wrong-type',
  'duplicate-competency-id',
  'validation-unknown-competency',
  'bad-bloc-code',
  'jury-3-of-2',
  'alias-bomb',
  'tab-indent',
  'empty-file',
  'custom-tag',
  'deep-nesting',
  'crlf-valid',
] as const;

/** Cases where src currently reports more than one diagnostic for the one problem. */

/** The `file:line:col  severity  message` lines of a stylish report. */
const diagnosticLines = (stdout: string): string[] =>
  stdout.split('\n').filter((l) => /^\S+:\d+:\d+ {2}\S/.test(l));

/** A golden file: the exit code, then stdout and stderr verbatim. */
function serialize(result: RunResult): string {
  return `exit code: ${result.code}\n--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`;
}

function golden(name: string, actual: RunResult): string {
  const file = path.join(goldenDir, `${name}.txt`);
  if (update) writeFileSync(file, serialize(actual));
  return readFileSync(file, 'utf8');
}

const argvOf = (name: string): string[] => [
  'validate',
  `${brokenDir}/${name}.yaml`,
  '--format',
  'stylish',
];

describe('certif validate on broken référentiels (golden files)', () => {
  it('has exactly one fixture and one golden file per case', () => {
    const fixtures = readdirSync(path.join(repoRoot, brokenDir))
      .filter((f) => !f.startsWith('.'))
      .sort();
    expect(fixtures).toEqual(cases.map((c) => `${c}.yaml`).sort());
    if (update) return;
    for (const name of cases) expect(existsSync(path.join(goldenDir, `${name}.txt`))).toBe(true);
  });

  describe.each(cases)('%s', (name) => {
    it('in-process output equals the golden file', async () => {
      const result = await runInProcess(argvOf(name), { cwd: repoRoot });
      expect(serialize(result)).toBe(golden(name, result));
    });

    it('binary output equals the same golden file', async () => {
      const result = await runBinary(argvOf(name), { cwd: repoRoot });
      const expected = readFileSync(path.join(goldenDir, `${name}.txt`), 'utf8');
      expect(serialize(result)).toBe(expected);
    });

    if (name === 'crlf-valid') {
      it('really has a BOM and CRLF line ends only', () => {
        const bytes = readFileSync(path.join(repoRoot, brokenDir, `${name}.yaml`));
        expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        const text = bytes.toString('utf8');
        expect(text.split('\r\n').length).toBeGreaterThan(40);
        expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      });

      it('is valid: exit 0 and no diagnostic', async () => {
        const result = await runInProcess(argvOf(name), { cwd: repoRoot });
        expect(result.code).toBe(0);
        expect(diagnosticLines(result.stdout)).toEqual([]);
        expect(result.stderr).toBe('');
      });
      return;
    }

    it('fails with exit 1 and no stack trace', async () => {
      const result = await runInProcess(argvOf(name), { cwd: repoRoot });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      expect(diagnosticLines(result.stdout).length).toBeGreaterThan(0);
      expect(result.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    });

    it('reports exactly one error diagnostic', async () => {
      const result = await runInProcess(argvOf(name), { cwd: repoRoot });
      expect(diagnosticLines(result.stdout)).toHaveLength(1);
    });
  });
});

const sample = `${brokenDir}/duplicate-key.yaml`;
const warningFile = 'test/fixtures/referentials/unused-option.yaml';

interface JsonReport {
  summary: { errors: number; warnings: number; infos: number };
  diagnostics: { ruleId: string; line: number; column: number; severity: string }[];
}

describe('certif validate options', () => {
  it('--format json prints parseable JSON with a summary', async () => {
    const result = await runInProcess(['validate', sample, '--format', 'json'], { cwd: repoRoot });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.summary.errors).toBe(1);
    expect(report.diagnostics).toMatchObject([
      { ruleId: 'yaml/duplicate-key', line: 24, column: 13, severity: 'error' },
    ]);
  });

  it('--format json on a valid file reports zero errors', async () => {
    const result = await runInProcess(
      ['validate', `${brokenDir}/crlf-valid.yaml`, '--format', 'json'],
      { cwd: repoRoot },
    );
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as JsonReport).summary).toEqual({
      errors: 0,
      warnings: 0,
      infos: 0,
    });
  });

  it('--format github prints workflow annotations', async () => {
    const result = await runInProcess(['validate', sample, '--format', 'github'], {
      cwd: repoRoot,
    });
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^::error file=test\/fixtures\/referentials\/broken\/duplicate-key\.yaml,line=24,col=13,/,
    );
  });

  it('a warning alone exits 0, and 1 with --strict', async () => {
    const plain = await runInProcess(['validate', warningFile, '--format', 'json'], {
      cwd: repoRoot,
    });
    expect(plain.code).toBe(0);
    const report = JSON.parse(plain.stdout) as JsonReport;
    expect(report.summary).toEqual({ errors: 0, warnings: 1, infos: 0 });
    expect(report.diagnostics.map((d) => d.ruleId)).toEqual(['validation/unused-option']);

    const strict = await runInProcess(['validate', warningFile, '--strict'], { cwd: repoRoot });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('validation/unused-option');
  });

  it('speaks French by default', async () => {
    const result = await runInProcess(['validate', sample], { cwd: repoRoot });
    expect(result.stdout).toContain('Clé « label » en double');
    expect(result.stdout).toContain('1 erreur');
  });

  it('--lang en speaks English', async () => {
    const result = await runInProcess(['validate', sample, '--lang', 'en'], { cwd: repoRoot });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Duplicate key "label" (already defined on line 23).');
    expect(result.stdout).toContain('1 error, 0 warnings, 0 infos in 1 file');
    expect(result.stdout).not.toContain('erreur');
  });

  it('CERTIF_LANG=en speaks English, in-process and through the binary', async () => {
    const env = { CERTIF_LANG: 'en' };
    const inProcess = await runInProcess(['validate', sample], { cwd: repoRoot, env });
    const binary = await runBinary(['validate', sample], { cwd: repoRoot, env });
    for (const result of [inProcess, binary]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Duplicate key "label"');
    }
    expect(binary).toEqual(inProcess);
  });

  it('--lang wins over CERTIF_LANG', async () => {
    const result = await runInProcess(['validate', sample, '--lang', 'fr'], {
      cwd: repoRoot,
      env: { CERTIF_LANG: 'en' },
    });
    expect(result.stdout).toContain('Clé « label » en double');
  });

  it('a missing path exits 2 with one clear message', async () => {
    const result = await runInProcess(['validate', 'test/fixtures/no-such-file.yaml'], {
      cwd: repoRoot,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('certif: Chemin introuvable : test/fixtures/no-such-file.yaml');
  });

  it('an unknown option exits 2', async () => {
    const result = await runInProcess(['validate', '--no-such-option', sample], {
      cwd: repoRoot,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--no-such-option');
  });

  it('an unknown format exits 2', async () => {
    const result = await runInProcess(['validate', sample, '--format', 'xml'], { cwd: repoRoot });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('xml');
  });

  it.each([['--help'], ['validate', '--help']])('%s exits 0 and prints usage', async (...argv) => {
    const result = await runInProcess(argv, { cwd: repoRoot });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Utilisation : certif');
    expect(result.stderr).toBe('');
    const en = await runInProcess([...argv, '--lang', 'en'], { cwd: repoRoot });
    expect(en.stdout).toContain('Usage: certif');
    if (argv.length === 1) {
      expect(result.stdout).toContain('Utilisation : certif [options] <commande>');
      expect(en.stdout).toContain('Usage: certif [options] <command>');
    }
  });

  it('help in French has no English left from commander: titles, choices, defaults', async () => {
    for (const argv of [
      ['export', '--help'],
      ['deliberate', '--help'],
      ['render', '--help'],
    ]) {
      const { stdout } = await runInProcess(argv, { cwd: repoRoot });
      expect(stdout).toContain('Options :');
      expect(stdout).not.toMatch(/Usage:|Options:|Commands:|default:|choices:|help \[command\]/);
    }
    const { stdout } = await runInProcess(['deliberate', '--help'], { cwd: repoRoot });
    expect(stdout).toContain('(choix : "text", "json", défaut : "text")');
  });

  it('--version exits 0 and prints the version, in-process and through the binary', async () => {
    const expected = { code: 0, stdout: `${version()}\n`, stderr: '' };
    expect(await runInProcess(['--version'], { cwd: repoRoot })).toEqual(expected);
    expect(await runBinary(['--version'], { cwd: repoRoot })).toEqual(expected);
  });

  it('--help through the binary exits 0', async () => {
    const result = await runBinary(['--help'], { cwd: repoRoot });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Utilisation : certif');
  });
});

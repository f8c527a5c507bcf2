import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Referential } from '../src/model/types.js';
import { repoRoot, runBinary, runInProcess } from './helpers/cli.js';

const file = 'test/fixtures/referentials/other-title.yaml';
const ref = parse(readFileSync(path.join(repoRoot, file), 'utf8')) as Referential;

describe('a référentiel of another title', () => {
  it('has the shape the test is about', () => {
    expect(ref.title).not.toBe(
      'Gestion de la relation client, coordination commerciale et suivi administratif',
    );
    expect(ref.rncp).toBe('RNCP12345');
    expect(ref.level).toBe(6);
    expect(ref.final_evaluation).toBeUndefined();
    expect(ref.blocs.map((b) => [b.id, b.code])).toEqual([
      ['BC01', 'RNCP12345BC01'],
      ['BC02', 'RNCP12345BC02'],
      ['BC03', 'RNCP12345BC03'],
      ['BC04', 'RNCP12345BC04'],
    ]);
    const competencies = ref.blocs.flatMap((b) => b.activities.flatMap((a) => a.competencies));
    expect(competencies.every((c) => typeof c.threshold === 'string' && c.threshold !== '')).toBe(
      true,
    );
    expect(ref.blocs[0]?.validation).toEqual({
      rule: 'min_ratio',
      min_ratio: 0.75,
      required: ['C1'],
    });
    expect(ref.blocs[1]?.validation).toEqual({ rule: 'min_count', min_count: 2 });
  });

  it('validates with exit 0 and no diagnostic at all', async () => {
    const result = await runInProcess(['validate', file, '--format', 'json'], { cwd: repoRoot });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { files: number; diagnostics: unknown[] };
    expect(report.files).toBe(1);
    expect(report.diagnostics).toEqual([]);
  });

  it('says so in the stylish report, in-process and through the binary', async () => {
    const expected = { code: 0, stdout: '✔ 1 fichier vérifié(s), aucun problème.\n', stderr: '' };
    expect(await runInProcess(['validate', file], { cwd: repoRoot })).toEqual(expected);
    expect(await runBinary(['validate', file], { cwd: repoRoot })).toEqual(expected);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Referential } from '../src/model/types.js';
import { repoRoot, runInProcess } from './helpers/cli.js';

const file = 'referentials/relation-client.yaml';
const text = readFileSync(path.join(repoRoot, file), 'utf8');
const ref = parse(text) as Referential;
/** The seed, copied so the test runs on a clean clone without ../shared. */
const seed = readFileSync(path.join(repoRoot, 'test/fixtures/seed/seed.txt'), 'utf8');

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();
const seedText = collapse(seed);

function bloc(id: string): Referential['blocs'][number] {
  const found = ref.blocs.find((b) => b.id === id);
  if (!found) throw new Error(`no bloc ${id}`);
  return found;
}

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `C${from + i}`);

/** DESIGN.md §2: activity → competencies, with the activity titles. */
const activityMap: Record<string, readonly [string, string, number, number][]> = {
  BC01: [
    ['A1', 'Accueil, information, conseil auprès du client', 1, 3],
    ['A2', 'Assistance à la vente', 4, 8],
    ['A3', 'Suivi de la clientèle et de la satisfaction', 9, 11],
    ['A4', 'Intégration des spécificités de la relation client omnicanales', 12, 15],
  ],
  BC02: [
    ['A1', 'Gestion de la data clients', 1, 3],
    ['A2', 'Optimisation des processus internes et externes', 4, 9],
    [
      'A3',
      'Soutien aux relations entre les commerciaux, les services supports, les clients',
      10,
      13,
    ],
    ['A4', 'Suivi des activités commerciales', 14, 17],
    ['A5', 'Recueil et traitement de la satisfaction client', 18, 20],
  ],
  BC03: [
    ['A1', 'Suivi du portefeuille des commandes', 1, 5],
    ['A2', 'Suivi des stocks et de la relation fournisseur', 6, 9],
    ['A3', 'Suivi des paiements', 10, 14],
  ],
};

describe('bundled référentiel relation-client', () => {
  it('starts with the yaml-language-server schema comment', () => {
    expect(text.split(/\r?\n/)[0]).toBe(
      '# yaml-language-server: $schema=../schemas/referential.schema.json',
    );
  });

  it('has the three blocs BC01..BC03', () => {
    expect(ref.blocs.map((b) => b.id)).toEqual(['BC01', 'BC02', 'BC03']);
  });

  it.each([
    ['BC01', 15],
    ['BC02', 20],
    ['BC03', 14],
  ] as const)('%s has %i competencies C1..Cn in order', (id, n) => {
    const ids = bloc(id).activities.flatMap((a) => a.competencies.map((c) => c.id));
    expect(ids).toEqual(range(1, n));
  });

  it.each(Object.entries(activityMap))('%s maps activities to competencies', (id, expected) => {
    const actual = bloc(id).activities.map((a) => ({
      id: a.id,
      title: a.title,
      competencies: a.competencies.map((c) => c.id),
    }));
    expect(actual).toEqual(
      expected.map(([aid, title, from, to]) => ({
        id: aid,
        title,
        competencies: range(from, to),
      })),
    );
  });

  it.each([
    ['BC01', 9, 2],
    ['BC02', 11, 3],
    ['BC03', 10, 2],
  ] as const)('%s has %i criteria and %i modalities', (id, criteria, modalities) => {
    const b = bloc(id);
    expect(b.evaluation.criteria.map((c) => c.id)).toEqual(
      Array.from({ length: criteria }, (_, i) => `CR${i + 1}`),
    );
    expect(b.evaluation.modalities.map((m) => m.id)).toEqual(
      Array.from({ length: modalities }, (_, i) => `M${i + 1}`),
    );
  });

  it('has a jury of two with at least one independent juror', () => {
    expect(ref.jury).toEqual({ size: 2, min_independent: 1 });
  });

  it('has a final evaluation with a 30-minute soutenance', () => {
    const fe = ref.final_evaluation;
    expect(fe).toBeDefined();
    expect(fe?.soutenance_minutes).toBe(30);
    expect(fe?.items.length).toBeGreaterThanOrEqual(1);
  });

  describe('wording is the seed’s, whitespace aside', () => {
    const texts: [string, string][] = [];
    ref.principles?.forEach((p, i) => texts.push([`principles[${i}]`, p]));
    for (const b of ref.blocs) {
      texts.push([`${b.id}.title`, b.title]);
      if (b.summary !== undefined) texts.push([`${b.id}.summary`, b.summary]);
      for (const a of b.activities) {
        texts.push([`${b.id}.${a.id}.title`, a.title]);
        for (const c of a.competencies) texts.push([`${b.id}.${c.id}.label`, c.label]);
      }
      for (const c of b.evaluation.criteria) texts.push([`${b.id}.${c.id}.label`, c.label]);
      for (const m of b.evaluation.modalities) {
        texts.push([`${b.id}.${m.id}.title`, m.title]);
        // BC02 M2's description is split by a column break in the seed: checked below.
        if (m.description !== undefined && !(b.id === 'BC02' && m.id === 'M2')) {
          texts.push([`${b.id}.${m.id}.description`, m.description]);
        }
      }
    }
    const fe = ref.final_evaluation;
    if (fe?.description !== undefined) texts.push(['final_evaluation.description', fe.description]);

    it('collects every transcribed text', () => {
      // 8 principles, 3 titles, 3 summaries, 12 activities, 49 competencies, 30 criteria,
      // 7 modality titles, 6 descriptions (BC02 M2 aside), the final evaluation's description.
      expect(texts).toHaveLength(8 + 3 + 3 + 12 + 49 + 30 + 7 + 6 + 1);
    });

    it.each(texts)('%s', (_where, value) => {
      expect(seedText).toContain(collapse(value));
    });

    it('BC02.M2.description, in its two halves', () => {
      const description = bloc('BC02').evaluation.modalities.find(
        (m) => m.id === 'M2',
      )?.description;
      expect(description).toBeDefined();
      const marker = 'l’amélioration de sa';
      const cut = (description ?? '').indexOf(marker) + marker.length;
      expect(cut).toBeGreaterThan(marker.length);
      const first = collapse((description ?? '').slice(0, cut));
      const second = collapse((description ?? '').slice(cut));
      expect(first).not.toBe('');
      expect(second).not.toBe('');
      expect(seedText).toContain(first);
      expect(seedText).toContain(second);
    });
  });

  it('validates with exit 0 and no error or warning', async () => {
    const result = await runInProcess(['validate', file, '--format', 'json'], { cwd: repoRoot });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      summary: { errors: number; warnings: number };
      diagnostics: { severity: string }[];
    };
    expect(report.summary.errors).toBe(0);
    expect(report.summary.warnings).toBe(0);
    expect(report.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';

/**
 * The reading thread of `certif validate` (src/project/read-ahead.ts), as built: it runs from
 * dist/ (a thread loads compiled JavaScript), which the global setup builds.
 */
type RawRead =
  | { text: string; parsed?: { value: object | undefined } }
  | { problem: string; code?: string; size?: number };
interface ReadAhead {
  take(index: number): Promise<readonly RawRead[] | undefined>;
  close(): Promise<void>;
}
let startReadAhead: (files: readonly string[]) => ReadAhead;
let batch: number;
let dir: string;

beforeAll(async () => {
  const built = pathToFileURL(path.join(repoRoot, 'dist', 'project', 'read-ahead.js')).href;
  const mod = (await import(built)) as {
    startReadAhead: typeof startReadAhead;
    READ_AHEAD_BATCH: number;
  };
  startReadAhead = mod.startReadAhead;
  batch = mod.READ_AHEAD_BATCH;
  dir = await mkdtemp(path.join(os.tmpdir(), 'certif-read-ahead-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('read-ahead thread', () => {
  it('gives each file read and parsed, or why it did not read, in order', async () => {
    await writeFile(path.join(dir, 'ok.yaml'), 'candidate: c001\nresults:\n  C1: acquis\n');
    await writeFile(path.join(dir, 'tab.yaml'), 'candidate: c001 #\tnote\n');
    await writeFile(path.join(dir, 'latin1.yaml'), Buffer.from('nom: Hélène\n', 'latin1'));
    await mkdir(path.join(dir, 'folder.yaml'));
    const names = ['ok.yaml', 'tab.yaml', 'latin1.yaml', 'folder.yaml', 'missing.yaml'];
    const ahead = startReadAhead(names.map((n) => path.join(dir, n)));
    const reads = await ahead.take(0);
    await ahead.close();
    expect(reads).toEqual([
      {
        text: 'candidate: c001\nresults:\n  C1: acquis\n',
        parsed: { value: { candidate: 'c001', results: { C1: 'acquis' } } },
      },
      // Left to the full parser, which reports tabs precisely.
      { text: 'candidate: c001 #\tnote\n', parsed: { value: undefined } },
      { problem: 'encoding' },
      { problem: 'not-a-file' },
      { problem: 'error', code: 'ENOENT' },
    ]);
  });

  it('stays a bounded number of batches ahead, and gives every batch whole', async () => {
    const files: string[] = [];
    for (let i = 0; i < batch * 20 + 5; i++) {
      const file = path.join(dir, `f${i}.yaml`);
      await writeFile(file, `n: ${i}\n`);
      files.push(file);
    }
    const ahead = startReadAhead(files);
    const seen: number[] = [];
    for (let b = 0; b * batch < files.length; b++) {
      const reads = await ahead.take(b);
      expect(reads).toHaveLength(Math.min(batch, files.length - b * batch));
      for (const r of reads ?? [])
        seen.push(('parsed' in r && (r.parsed?.value as { n: number }).n) || 0);
    }
    await ahead.close();
    expect(seen).toEqual(files.map((_, i) => i));
  });

  it('says which batches it could not give once stopped, so the caller reads them itself', async () => {
    const files = Array.from({ length: batch * 40 }, (_, i) => path.join(dir, `f${i % 100}.yaml`));
    const ahead = startReadAhead(files);
    const first = await ahead.take(0);
    expect(first).toHaveLength(batch);
    await ahead.close();
    const rest = [];
    for (let b = 1; b < 40; b++) rest.push(await ahead.take(b));
    // The thread holds at most a few batches ahead: most of the rest never came.
    expect(rest.filter((r) => r === undefined).length).toBeGreaterThan(20);
    for (const r of rest) if (r !== undefined) expect(r).toHaveLength(batch);
  });
});

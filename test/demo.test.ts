import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary, type RunResult } from './helpers/cli.js';

/** Chromium where `certif demo` looks for it first; with it the demo prints PDFs too. */
const hasChromium = existsSync('/usr/bin/chromium');

/**
 * The built binary, like `runBinary`, with a longer limit: the demo prints its PDFs with five
 * Chromium launches (~14 s alone, more when the other test files run beside it).
 */
function certif(argv: readonly string[], cwd: string): Promise<RunResult> {
  return runBinary(argv, { cwd, timeout: 90_000 });
}

/** Every file under a folder: relative path → size, mtime and sha256 of the bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const s = await stat(full);
    const content = entry.isFile()
      ? createHash('sha256')
          .update(await readFile(full))
          .digest('hex')
      : 'dir';
    out[path.relative(dir, full)] = `${s.size} ${s.mtimeMs} ${content}`;
  }
  return out;
}

/** The documents the demo renders: BC01 blank, BC02 per candidate, sheets, PV, attestations. */
const DOCUMENTS = [
  'grille-BC01',
  'grille-BC02-c001',
  'grille-BC02-c002',
  'grille-BC02-c004',
  ...['c001', 'c002', 'c003', 'c004', 'c005'].flatMap((c) => [`fiche-${c}`, `attestation-${c}`]),
  'pv-demo-2026-06',
].sort();

let root: string;
let demo: string;
let result: RunResult;

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'certif-demo-test-')));
  demo = path.join(root, 'demo');
  result = await certif(['demo', 'demo'], root);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('certif demo <dir> (binary)', () => {
  it('exits 0 and says what it did', () => {
    expect(result.stderr).toContain('✔ Session demo-2026-06 : 5 candidats, 3 jurés');
    expect(result.stderr).toContain('✔ certif validate : projet valide');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Projet de démonstration : demo');
    expect(result.stdout).toContain('certif grade c004 BC02');
  });

  it(`writes every document in md, html${hasChromium ? ' and pdf' : ''}`, async () => {
    const formats = hasChromium ? ['html', 'md', 'pdf'] : ['html', 'md'];
    const files = (await readdir(path.join(demo, 'documents'))).sort();
    expect(files).toEqual(
      DOCUMENTS.flatMap((d) => formats.map((f) => `${d}.${f}`)).sort((a, b) => a.localeCompare(b)),
    );
    expect(result.stderr).toContain(`✔ ${files.length} documents (md, html`);
    for (const file of files) {
      const bytes = await readFile(path.join(demo, 'documents', file));
      if (file.endsWith('.pdf')) expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      else if (file.endsWith('.html')) expect(bytes.toString('utf8')).toMatch(/^<!DOCTYPE html>/);
      else expect(bytes.toString('utf8')).toMatch(/^# /);
    }
  });

  it('shows c002’s accommodations on the grid, never on the attestation', async () => {
    const read = (f: string) => readFile(path.join(demo, 'documents', f), 'utf8');
    for (const ext of ['md', 'html']) {
      expect(await read(`grille-BC02-c002.${ext}`)).toContain('Tiers-temps');
      const attestation = await read(`attestation-c002.${ext}`);
      expect(attestation).toContain('Nguyen Minh');
      expect(attestation).not.toContain('Tiers-temps');
      expect(attestation).not.toContain('rez-de-chaussée');
    }
  });

  it('leaves a project that `certif validate` accepts', async () => {
    const r = await certif(['validate'], demo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('refuses a folder that is not empty (exit 1) and leaves it untouched', async () => {
    const busy = path.join(root, 'busy');
    await mkdir(path.join(busy, 'notes'), { recursive: true });
    await writeFile(path.join(busy, 'notes', 'jury.txt'), 'Ne pas écraser.\n');
    for (const target of [busy, demo]) {
      const before = await snapshot(target);
      const r = await certif(['demo', target], root);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('existe déjà et n’est pas vide');
      expect(r.stderr).toContain('certif demo <dossier>');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
      expect(await snapshot(target)).toEqual(before);
    }
  });

  it('refuses a path that is a file (exit 1) and leaves it untouched', async () => {
    const file = path.join(root, 'candidats.csv');
    await writeFile(file, 'identifiant;nom\n');
    const r = await certif(['demo', file], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('n’est pas vide');
    expect(await readFile(file, 'utf8')).toBe('identifiant;nom\n');
  });
});

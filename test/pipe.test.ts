import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';

describe('a reader that stops early', () => {
  it('`certif export case | head -c 10`: no stack trace, exit 0', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, 'bin', 'certif.js'),
        'export',
        'case',
        path.join(repoRoot, 'referentials', 'relation-client.yaml'),
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Like `head`: read the first chunk, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('standard output redirected to a file', () => {
  it('gets the same bytes as a pipe, French text included (written natively, not as a stream)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'certif-stdout-'));
    try {
      const argv = [path.join(repoRoot, 'bin', 'certif.js'), 'show', '--lang', 'fr'];
      const file = path.join(dir, 'show.txt');
      const fd = openSync(file, 'w');
      const toFile = spawnSync(process.execPath, argv, {
        cwd: repoRoot,
        stdio: ['ignore', fd, 'pipe'],
      });
      closeSync(fd);
      const toPipe = spawnSync(process.execPath, argv, { cwd: repoRoot, encoding: 'buffer' });
      expect(toFile.status).toBe(0);
      expect(toPipe.status).toBe(0);
      const written = readFileSync(file);
      expect(written.length).toBeGreaterThan(1000);
      expect(written.toString('utf8')).toContain('é');
      expect(written.equals(toPipe.stdout)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(existsSync('/dev/full'))(
    'a full disk (/dev/full): exit 1 naming ENOSPC, no stack trace',
    () => {
      const fd = openSync('/dev/full', 'w');
      const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'certif.js'), 'show'], {
        cwd: repoRoot,
        stdio: ['ignore', fd, 'pipe'],
        encoding: 'utf8',
      });
      closeSync(fd);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('ENOSPC');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    },
  );
});

import { spawn } from 'node:child_process';
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

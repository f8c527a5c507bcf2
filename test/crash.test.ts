import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';

interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function crashTest(args: readonly string[]): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'scripts', 'crash-test.mjs'), ...args],
      { cwd: repoRoot, encoding: 'utf8', timeout: 110_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`crash-test did not exit normally: ${error.message}`, { cause: error }));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

describe('crash test (short): graders SIGKILLed at random moments', () => {
  it('leaves every file whole, no answer torn or lost, no orphan, a valid project', async () => {
    const result = await crashTest(['--runs', '20']);
    expect(result.stdout, result.stdout + result.stderr).toContain('result    OK');
    expect(result.stdout).toMatch(/runs {6}20 /);
    expect(result.code).toBe(0);
  }, 120_000);

  it('refuses an unknown option with exit 2', async () => {
    const result = await crashTest(['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage:');
  });
});

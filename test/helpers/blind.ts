import { readFile, writeFile } from 'node:fs/promises';
import { makeProject, type Project, type ProjectOptions } from './project.js';

/**
 * A blind double-marked session (`double_marking: blind`) on relation-client: jdupont and
 * pmartin on every jury, lbernard a juror of the session but of no jury; candidates c001, c002
 * unless `options` says otherwise.
 */
export async function makeBlindProject(options: ProjectOptions = {}): Promise<Project> {
  const project = await makeProject({
    ...options,
    jurors: options.jurors ?? [
      { id: 'jdupont', name: 'Jeanne Dupont', independent: true },
      { id: 'pmartin', name: 'Paul Martin', independent: false },
      { id: 'lbernard', name: 'Luc Bernard', independent: true },
    ],
  });
  const text = await readFile(project.sessionFile, 'utf8');
  await writeFile(project.sessionFile, text.replace(/^juries:/m, 'double_marking: blind\njuries:'));
  return project;
}

/** `--set` flags judging every competency of BC01 acquis, with the given exceptions. */
export function bc01Sets(overrides: Readonly<Record<string, string>> = {}): string[] {
  return Array.from({ length: 15 }, (_, i) => {
    const id = `C${i + 1}`;
    return `--set=${id}=${overrides[id] ?? 'acquis'}`;
  });
}

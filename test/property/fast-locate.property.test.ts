import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastPositions } from '../../src/source/fast-locate.js';
import { locate, toPointer } from '../../src/source/locate.js';
import { parseYaml, parseYamlText } from '../../src/source/parse.js';
import { repoRoot } from '../helpers/cli.js';

/** Every JSON pointer of a value, the root included. */
function pointers(value: unknown, at: (string | number)[] = [], out: string[] = []): string[] {
  out.push(toPointer(at));
  if (Array.isArray(value)) value.forEach((v, i) => pointers(v, [...at, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pointers(v, [...at, k], out);
  return out;
}

/**
 * For a text the fast path reads, every range the js-yaml positions give equals the range the
 * full `yaml` tree gives; returns how many were compared.
 */
function compare(text: string, name: string): [number, number] {
  const fast = parseYaml(name, text, 'fr').source;
  const full = parseYamlText(name, text, 'fr').source;
  // Only files read by the fast path get these positions (not CRLF, tags, anchors…).
  if (!fast || !full || !('fastRange' in fast)) return [0, 0];
  // Both ways of placing: from the block-subset reader (texts it reads) and from js-yaml's events.
  const ways = [fastPositions(fast.text), fastPositions(fast.text, { subset: false })];
  const compared = [0, 0];
  for (const p of pointers(fast.value)) {
    const expected = locate(full.doc, full.lineCounter, p);
    ways.forEach((positions, way) => {
      const range = positions.range(p, false);
      if (!range) return;
      expect(range, `${name} ${p}`).toEqual(expected);
      compared[way] = (compared[way] ?? 0) + 1;
    });
  }
  return [compared[0] ?? 0, compared[1] ?? 0];
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(full).isDirectory()) yamlFiles(full, out);
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

const key = fc.stringMatching(/^[a-z][a-z_]{0,8}$/);
const scalar = fc.oneof(
  fc.constantFrom('acquis', 'BC01', 'C12', '2026-06-15', '1.0.0', 'true', '~', 'a b  c'),
  fc.stringMatching(/^[a-zA-Zéè0-9][a-zA-Zéè0-9 ,.’()-]{0,30}$/),
  fc.integer({ min: -1000, max: 1000 }),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 5 }),
  list: fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
})).node;

function toYaml(v: unknown, indent = ''): string {
  if (Array.isArray(v))
    return v.map((x) => `\n${indent}- ${toYaml(x, indent + '  ').replace(/^\n\s*/, '')}`).join('');
  if (v !== null && typeof v === 'object')
    return Object.entries(v)
      .map(([k, x]) => `\n${indent}${k}: ${toYaml(x, indent + '  ')}`)
      .join('');
  return typeof v === 'string' && /^[\d~]|^(true|false|null)$|\s$/.test(v)
    ? JSON.stringify(v)
    : String(v);
}

describe('positions without the yaml package', () => {
  it('equal the yaml tree on every scalar of every YAML file of the repository', () => {
    let compared = [0, 0] as const as readonly [number, number];
    // The files in git (not bench/workload nor a demo made by hand): the same set on a fresh clone.
    const files = ['referentials', 'test'].flatMap((d) => yamlFiles(path.join(repoRoot, d)));
    for (const file of files) {
      const [subset, events] = compare(readFileSync(file, 'utf8'), path.relative(repoRoot, file));
      compared = [compared[0] + subset, compared[1] + events];
    }
    // The bundled référentiel alone has hundreds of plain one-line scalars.
    expect(compared[0]).toBeGreaterThan(250);
    expect(compared[1]).toBeGreaterThan(250);
  });

  it('equal the yaml tree on generated block-style documents', () => {
    fc.assert(
      fc.property(value, (v) => {
        const text = `${toYaml(v).replace(/^\n/, '')}\n`;
        compare(text, 'generated.yaml');
      }),
      { numRuns: 300 },
    );
  });
});

#!/usr/bin/env node
// The parse floor: read and parse, with the `yaml` package certif uses, the files
// `certif validate` reads in the bench workload (référentiel, session, 3,000 evaluations),
// and nothing else: no schema, no rules, no positions kept, no report.
//
//   node bench/floor.mjs [workload-dir] [--parser yaml|js-yaml]   (default: bench/workload, yaml)
//
// --parser js-yaml parses with js-yaml 4 (CORE_SCHEMA) instead: the fastest general YAML parser
// for Node, the floor the targets use. --parser certif reads as certif does (its block-subset
// reader from dist/, js-yaml for what it leaves), for information: how much of validate is not
// reading and parsing.
//
// Exit 0 when every file parsed; prints the number of files and bytes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const p = args.indexOf('--parser');
const parser = p >= 0 ? args.splice(p, 2)[1] : 'yaml';
const root = path.resolve(args[0] ?? path.join(here, 'workload'));
let parse;
if (parser === 'js-yaml') {
  const yaml = await import('js-yaml');
  parse = (text) => yaml.load(text, { schema: yaml.CORE_SCHEMA });
} else if (parser === 'certif') {
  const yaml = await import('js-yaml');
  const { readBlockSubset } = await import(
    new URL('../dist/source/block-subset.js', import.meta.url).href
  );
  parse = (text) => readBlockSubset(text) ?? yaml.load(text, { schema: yaml.CORE_SCHEMA });
} else {
  ({ parse } = await import('yaml'));
}

function yamlFiles(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yamlFiles(full, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(full);
  }
  return out;
}

const files = [
  ...yamlFiles(path.join(root, 'referentials')),
  ...yamlFiles(path.join(root, 'sessions')),
];
let bytes = 0;
let values = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  bytes += text.length;
  if (parse(text) !== undefined) values += 1;
}
process.stdout.write(`${values}/${files.length} files parsed, ${bytes} chars\n`);
process.exitCode = values === files.length ? 0 : 1;

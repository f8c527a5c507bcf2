// Compile the JSON Schemas into standalone ajv validators (dist/schema/validators.js), so a
// certif process does not compile schemas at start-up. Run by `npm run build` after tsc.
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { ajvOptions, schemaFiles } from '../dist/schema/options.js';

const ajv = new Ajv2020({ ...ajvOptions, code: { source: true, esm: true } });
const exports = {};
/**
 * A copy of `schema` where every `{ "$ref": "#/$defs/<name>" }` with nothing beside it is replaced
 * by the definition itself (its own such references replaced in turn): the same schema, but ajv
 * then checks, say, each of an evaluation's results in place, instead of calling a function per
 * result with an options object and a path string (~15 % of the schema time on the bench). A
 * reference with sibling keywords (a description) is left as it is: there the error's parent
 * schema, whose description the messages quote, must stay the node that holds it.
 */
function inlineBareRefs(schema) {
  const defs = schema.$defs ?? {};
  const visit = (node, seen) => {
    if (Array.isArray(node)) return node.map((item) => visit(item, seen));
    if (node === null || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    const name = keys.length === 1 ? /^#\/\$defs\/([\w-]+)$/.exec(node.$ref ?? '')?.[1] : undefined;
    if (name !== undefined && defs[name] !== undefined && !seen.includes(name))
      return visit(defs[name], [...seen, name]);
    return Object.fromEntries(keys.map((key) => [key, visit(node[key], seen)]));
  };
  const { $defs, ...rest } = schema;
  return { ...visit(rest, []), ...($defs ? { $defs } : {}) };
}

for (const [kind, file] of Object.entries(schemaFiles)) {
  const schema = inlineBareRefs(
    JSON.parse(readFileSync(new URL(`../schemas/${file}`, import.meta.url), 'utf8')),
  );
  ajv.addSchema(schema);
  exports[kind] = schema.$id;
}
let code = standaloneCode.default(ajv, exports);
// ajv's ESM output still require()s its runtime helpers: turn them into imports.
const imports = [];
code = code.replace(/require\("([^"]+)"\)/g, (_, specifier) => {
  const name = `runtime${imports.length}`;
  imports.push(`import ${name} from ${JSON.stringify(`${specifier}.js`)};`);
  return name;
});
// ajv counts a string's length in code points (ucs2length), a loop over every string it checks.
// A string has at least as many UTF-16 units as code points, so `maxLength` holds without counting
// when `.length` is within it, and `minLength: N` fails without counting when `.length < N`: the
// count is left for the strings where it can change the answer (same verdicts, measured faster).
const ucs2 = /\bconst (func\d+) = runtime(\d+)\.default;/.exec(code);
if (!ucs2 || !imports[Number(ucs2[2])]?.includes('ucs2length')) {
  throw new Error(
    'build-validators: ajv no longer names ucs2length as expected; review the rewrite',
  );
}
const count = ucs2[1];
let rewritten = 0;
code = code.replace(
  new RegExp(`\\b${count}\\((\\w+)\\) ([<>]) (\\d+)`, 'g'),
  (_, data, op, limit) => {
    rewritten += 1;
    return op === '>'
      ? `(${data}.length > ${limit} && ${count}(${data}) > ${limit})`
      : `(${data}.length < ${limit} || ${count}(${data}) < ${limit})`;
  },
);
const left = code.split(`${count}(`).length - 1 - rewritten;
if (rewritten === 0 || left !== 0) {
  throw new Error(
    `build-validators: ${left} length checks of an unexpected shape; review the rewrite`,
  );
}
// ajv walks an object's keys with `for (const key of Object.keys(data))`: an iterator object per
// loop and a call per key until the function is optimised, thousands of times in a validate
// (every evaluation's results, every mapping). An indexed loop over the same array does the same.
let indexed = 0;
code = code.replace(/for ?\(const (\w+) of Object\.keys\((\w+)\)\) ?\{/g, (_, key, data) => {
  indexed += 1;
  return `for (let ${key}$i = 0, ${key}$keys = Object.keys(${data}); ${key}$i < ${key}$keys.length; ${key}$i++) { const ${key} = ${key}$keys[${key}$i];`;
});
if (indexed === 0 || code.includes('of Object.keys(')) {
  throw new Error('build-validators: key loops of an unexpected shape; review the rewrite');
}
code = code.replace(/^"use strict";/, `"use strict";${imports.join('')}`);
writeFileSync(new URL('../dist/schema/validators.js', import.meta.url), code);
// Fail the build, not a later run, if the module does not load.
await import(new URL('../dist/schema/validators.js', import.meta.url).href);

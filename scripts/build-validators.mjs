// Compile the JSON Schemas into standalone ajv validators (dist/schema/validators.js), so a
// certif process does not compile schemas at start-up. Run by `npm run build` after tsc.
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { ajvOptions, schemaFiles } from '../dist/schema/options.js';

const ajv = new Ajv2020({ ...ajvOptions, code: { source: true, esm: true } });
const exports = {};
for (const [kind, file] of Object.entries(schemaFiles)) {
  const schema = JSON.parse(readFileSync(new URL(`../schemas/${file}`, import.meta.url), 'utf8'));
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
code = code.replace(/^"use strict";/, `"use strict";${imports.join('')}`);
writeFileSync(new URL('../dist/schema/validators.js', import.meta.url), code);
// Fail the build, not a later run, if the module does not load.
await import(new URL('../dist/schema/validators.js', import.meta.url).href);

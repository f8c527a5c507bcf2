#!/usr/bin/env node
// dist/bundle/ is dist/ bundled by scripts/bundle.mjs: main.cjs, then the CLI as one script with
// its V8 code cache. CommonJS (bin/package.json), so that Node never starts its ES module loader.
'use strict';

require('../dist/bundle/main.cjs')
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });

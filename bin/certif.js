#!/usr/bin/env node
// dist/bundle/ is dist/ bundled by scripts/bundle.mjs: main.js, then the CLI as one script with
// its V8 code cache.
import { run } from '../dist/bundle/main.js';

process.exitCode = await run(process.argv.slice(2));

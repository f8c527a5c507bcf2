#!/usr/bin/env node
// dist/bundle/ is dist/ bundled by scripts/bundle.mjs (fewer files to load at start-up).
import { run } from '../dist/bundle/main.js';

process.exitCode = await run(process.argv.slice(2));

#!/usr/bin/env node
'use strict';
// The `switchboard` command. Runs the compiled CLI from dist/ (built by `npm run build`,
// which `npm install` and `npm ci` run through the `prepare` script).
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('switchboard: dist/ is missing; run `npm run build` first.\n');
  process.exit(2);
}
require(entry).main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`switchboard: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);

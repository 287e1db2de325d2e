#!/usr/bin/env node
'use strict';
// The `msk-migrate` command (package.json "bin"). The CLI is TypeScript: tsx's CommonJS loader compiles it as it is
// required, so `npx msk-migrate` works in a clone after `npm ci` without a build step.
require('tsx/cjs');
require('./msk-migrate.ts').main(process.argv);

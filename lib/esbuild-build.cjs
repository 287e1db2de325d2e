'use strict';
// esbuild builds with the bundles' plugins (lib/bundle-plugins.ts), for a synchronous caller: esbuild's buildSync
// takes no plugins, and a CDK synth is synchronous (lib/handler-bundles.ts, buildBundles, runs this in a child
// process). Reads a JSON array of build options on stdin, runs the builds concurrently (one per handler: each splits
// only its own lazy imports into chunks), and writes their metafiles (a JSON array, in order) on stdout; esbuild's
// errors on stderr.
require('tsx/cjs');
const fs = require('node:fs');
const { build } = require('esbuild');
const { BUNDLE_PLUGINS } = require('./bundle-plugins.ts');

const builds = JSON.parse(fs.readFileSync(0, 'utf8'));
Promise.all(builds.map((options) => build({ ...options, plugins: [...BUNDLE_PLUGINS], metafile: true }))).then(
  (results) => process.stdout.write(JSON.stringify(results.map((result) => result.metafile))),
  (err) => {
    process.stderr.write(`${err && err.message}\n`);
    process.exitCode = 1;
  },
);

'use strict';
// One esbuild build with the bundles' plugins (lib/bundle-plugins.ts), for a synchronous caller: esbuild's buildSync
// takes no plugins, and a CDK synth is synchronous (lib/handler-bundles.ts, buildBundles, runs this in a child
// process). Reads the build options (JSON) on stdin; writes the metafile (JSON) on stdout; esbuild's errors on stderr.
require('tsx/cjs');
const fs = require('node:fs');
const { build } = require('esbuild');
const { BUNDLE_PLUGINS } = require('./bundle-plugins.ts');

const options = JSON.parse(fs.readFileSync(0, 'utf8'));
build({ ...options, plugins: [...BUNDLE_PLUGINS], metafile: true }).then(
  (result) => process.stdout.write(JSON.stringify(result.metafile)),
  (err) => {
    process.stderr.write(`${err && err.message}\n`);
    process.exitCode = 1;
  },
);

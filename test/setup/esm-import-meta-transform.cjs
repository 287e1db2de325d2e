// ts-jest for the ESM-only dependencies that use `import.meta.url` (@platformatic/kafka's crc32c loader and schema
// registry, @platformatic/wasm-utils, which reads its .wasm file next to itself). TypeScript leaves `import.meta` as it
// is when it emits CommonJS, where it is a syntax error. In CommonJS a module already has what they build from it:
// `require` (so `const require = createRequire(import.meta.url)` goes, which would also clash with the module
// wrapper's own `require`) and its URL, `pathToFileURL(__filename)`. Everything else is ts-jest's, with the options
// jest.config.js gives it.
const { TsJestTransformer } = require('ts-jest');

const OWN_REQUIRE = /\bconst require = createRequire\(import\.meta\.url\);?/g;
const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
const CJS_URL = 'process.getBuiltinModule("node:url").pathToFileURL(__filename).href';
const VERSION = 'import-meta-3';

function rewrite(source) {
  if (!source.includes('import.meta')) return source;
  return source.replace(OWN_REQUIRE, '').replace(IMPORT_META_URL, CJS_URL);
}

class ImportMetaTransformer extends TsJestTransformer {
  process(source, path, options) {
    return super.process(rewrite(source), path, options);
  }
  processAsync(source, path, options) {
    return super.processAsync(rewrite(source), path, options);
  }
  getCacheKey(source, path, options) {
    return `${VERSION}:${super.getCacheKey(rewrite(source), path, options)}`;
  }
  getCacheKeyAsync(source, path, options) {
    return super.getCacheKeyAsync(rewrite(source), path, options).then((key) => `${VERSION}:${key}`);
  }
}

module.exports = {
  createTransformer: (options) => new ImportMetaTransformer(options),
  rewrite,
};

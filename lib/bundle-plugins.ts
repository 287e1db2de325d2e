import * as fs from 'node:fs';
import type { Plugin } from 'esbuild';

/**
 * esbuild plugins of the task functions' bundles (lib/handler-bundles.ts, buildBundles).
 *
 * `sdkSchemaKeys`: the AWS SDK clients' ES build describes every operation and shape of the service in
 * `dist-es/schemas/schemas_0.js`, as arrays that esbuild drops when nothing uses them — except that their traits are
 * object literals with computed keys (`{ [_h]: ["GET", "/v1/…", 200] }`, `_h` a module constant `"http"`), which
 * esbuild cannot prove free of side effects, so it keeps every operation of the service and every shape they name.
 * The plugin writes such a key as the constant's string (`{ "http": … }`): the same object, and the unused operations
 * go (in EvaluateCatchUp, the MSK client's schemas keep 13 KB of 48, S3's 12 KB of 68).
 */
export const SDK_SCHEMA_FILE = /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/** `source` with each computed key `[_x]:` whose `_x` is a top-level `const _x = "…";` written as that string. */
export function inlineSchemaKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const [, name, value] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm))
    if (name && value) constants.set(name, value);
  return source.replace(/([{,]\s*)\[(_\w+)\]:/g, (whole, before: string, name: string) => {
    const value = constants.get(name);
    return value === undefined ? whole : `${before}${value}:`;
  });
}

export const sdkSchemaKeys: Plugin = {
  name: 'msk-migration-sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMA_FILE }, async (args) => ({
      contents: inlineSchemaKeys(await fs.promises.readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

/**
 * `packageJsonFields`: a bundled package that imports its own package.json gets the whole file (2-4 KB each, seven or
 * more per function), for the one or two fields its code reads: the version for the user agent (every AWS SDK
 * package, `packageInfo.version`), the name and version for X-Ray's segment (aws-xray-sdk-core), the issue tracker's
 * address for error messages (kafkajs, `bugs`). The plugin gives each of these packages' package.json those fields
 * only; any other package.json is bundled as it is.
 */
export const PACKAGE_JSON_FIELDS: ReadonlyArray<{ readonly file: RegExp; readonly fields: readonly string[] }> = [
  { file: /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/, fields: ['name', 'version'] },
  { file: /[\\/]node_modules[\\/]aws-xray-sdk-core[\\/]package\.json$/, fields: ['name', 'version'] },
  { file: /[\\/]node_modules[\\/]kafkajs[\\/]package\.json$/, fields: ['name', 'version', 'bugs'] },
];

/** The `fields` of a package.json's text, as JSON. */
export function pickPackageFields(text: string, fields: readonly string[]): string {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(fields.filter((f) => f in manifest).map((f) => [f, manifest[f]])));
}

export const packageJsonFields: Plugin = {
  name: 'msk-migration-package-json-fields',
  setup(build) {
    build.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => {
      const rule = PACKAGE_JSON_FIELDS.find(({ file }) => file.test(args.path));
      if (!rule) return undefined;
      return {
        contents: pickPackageFields(await fs.promises.readFile(args.path, 'utf8'), rule.fields),
        loader: 'json',
      };
    });
  },
};

/** Every plugin of the bundles, in order. */
export const BUNDLE_PLUGINS: readonly Plugin[] = [sdkSchemaKeys, packageJsonFields];

/** Changes when what the plugins do changes (part of a bundle's cache key). */
export const BUNDLE_PLUGINS_VERSION = 'sdk-schema-keys@1,package-json-fields@1';

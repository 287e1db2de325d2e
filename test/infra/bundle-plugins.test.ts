import { inlineSchemaKeys, SDK_SCHEMA_FILE } from '../../lib/bundle-plugins';

/**
 * The bundles' esbuild plugin (lib/bundle-plugins.ts): an SDK client's schema module with its computed trait keys
 * written as the constants' strings, so that esbuild can drop the operations no adapter sends. What it does to the
 * bundles is pinned by test/infra/bundle-size.test.ts.
 */

describe('inlineSchemaKeys', () => {
  it("writes a computed key naming a module constant as that constant's string", () => {
    const source = [
      'const _h = "http";',
      'const _jN = "jsonName";',
      'export var GetBootstrapBrokers$ = [9, n0, _GBB,',
      '    { [_h]: ["GET", "/v1/clusters/{ClusterArn}/bootstrap-brokers", 200] }, () => A$, () => B$',
      '];',
      'export var Cluster$ = [3, n0, _C, 0, [_CA], [[0, { [_jN]: "clusterArn" }]]];',
    ].join('\n');

    const result = inlineSchemaKeys(source);

    expect(result).toContain('{ "http": ["GET", "/v1/clusters/{ClusterArn}/bootstrap-brokers", 200] }');
    expect(result).toContain('[[0, { "jsonName": "clusterArn" }]]');
    expect(result).not.toMatch(/\[_h\]|\[_jN\]/);
  });

  it('leaves a computed key alone when it names no string constant of the module, and a member access', () => {
    const source = [
      'const _n = 5;',
      'const _s = "k";',
      'const o = { [_n]: 1, [_x]: 2 };',
      'const v = a ? b[_s]: c;',
    ].join('\n');

    expect(inlineSchemaKeys(source)).toBe(source);
  });

  it.each([
    ['node_modules/@aws-sdk/client-kafka/dist-es/schemas/schemas_0.js', true],
    ['node_modules/@aws-sdk/nested-clients/dist-es/submodules/sts/schemas/schemas_0.js', true],
    ['node_modules/@aws-sdk/client-kafka/dist-cjs/schemas/schemas_0.js', false],
    ['node_modules/@aws-sdk/client-kafka/dist-es/commands/GetBootstrapBrokersCommand.js', false],
    ['lambdas/core/plan/schemas/schemas_0.js', false],
  ])('applies to %s: %s', (file, applies) => {
    expect(SDK_SCHEMA_FILE.test(`/work/${file}`)).toBe(applies);
  });
});

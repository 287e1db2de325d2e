import { compare, gte } from '../../lambdas/adapters/aws/semver-gte';

/**
 * The stand-in for `semver` in the bundles (lib/handler-bundles.ts, alias): cls-hooked calls `gte` with Node's
 * version when it loads, X-Ray's AWS SDK patcher with the SDK's; semver's precedence rules, on the versions they pass.
 */
describe('semver-gte', () => {
  it.each([
    ['22.14.0', '8.0.0', true],
    ['v20.20.2', '8.0.0', true],
    ['2.1000.0', '2.2.0', true],
    ['2.2.0', '2.1000.0', false],
    ['1.0.0', '1.0.0', true],
    ['1.0.0-rc.1', '1.0.0', false],
    ['1.0.0', '1.0.0-rc.1', true],
    ['1.0.0-beta.11', '1.0.0-beta.2', true],
    ['1.0.0-alpha', '1.0.0-alpha.1', false],
    ['1.0.0-alpha.beta', '1.0.0-alpha.1', true],
  ])('gte(%s, %s) is %s', (a, b, expected) => {
    expect(gte(a, b)).toBe(expected);
  });

  it('orders equal versions equal, build metadata ignored', () => {
    expect(compare('3.9.2+build.7', '3.9.2')).toBe(0);
  });

  it('refuses what is not a version, as semver does', () => {
    expect(() => gte('latest', '1.0.0')).toThrow(TypeError);
  });
});

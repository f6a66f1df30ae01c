import { compareVersions, parseVersion, upgradePathProblem } from './version.js';

describe('etcd versions', () => {
  it('parses release versions with or without a leading v', () => {
    expect(parseVersion('3.6.16')).toEqual({ major: 3, minor: 6, patch: 16 });
    expect(parseVersion('v3.5.35')).toEqual({ major: 3, minor: 5, patch: 35 });
    expect(parseVersion('3.6')).toBeUndefined();
    expect(parseVersion('3.6.0-rc.1')).toBeUndefined();
  });

  it('orders by major, then minor, then patch', () => {
    expect(compareVersions(parseVersion('3.5.35')!, parseVersion('3.6.0')!)).toBeLessThan(0);
    expect(compareVersions(parseVersion('3.6.10')!, parseVersion('3.6.9')!)).toBeGreaterThan(0);
  });

  it('allows patch moves and one minor up', () => {
    expect(upgradePathProblem('3.5.1', '3.5.35')).toBeUndefined();
    expect(upgradePathProblem('3.5.35', '3.6.16')).toBeUndefined();
    expect(upgradePathProblem('3.6.16', '3.6.16')).toBeUndefined();
  });

  it('refuses downgrades and minor skips, naming spec.version', () => {
    expect(upgradePathProblem('3.6.1', '3.5.35')).toMatch(/spec\.version.*downgrade/);
    expect(upgradePathProblem('3.6.1', '3.6.0')).toMatch(/downgrade/);
    expect(upgradePathProblem('3.4.1', '3.6.0')).toMatch(/spec\.version.*skips/);
    expect(upgradePathProblem('3.6.1', '4.0.0')).toMatch(/skips/);
  });

  it('refuses 3.5 -> 3.6 from a 3.5 patch older than 3.5.26, naming the patch to move to first', () => {
    const problem = upgradePathProblem('3.5.20', '3.6.16');
    expect(problem).toContain('set spec.version to 3.5.26');
    expect(problem).toContain('from 3.5.20');
    expect(upgradePathProblem('3.5.25', '3.6.0')).toContain('3.5.26');
    expect(upgradePathProblem('3.5.26', '3.6.16')).toBeUndefined();
    expect(upgradePathProblem('3.5.20', '3.5.26')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { isNewer, newerKitWarning } from './version';

describe('the kit telling its operator that the broker hands out a newer kit', () => {
  it('compares versions part by part', () => {
    expect(isNewer('0.2.0', '0.1.9')).toBe(true);
    expect(isNewer('0.10.0', '0.9.0')).toBe(true);
    expect(isNewer('0.1.0', '0.1.0')).toBe(false);
    expect(isNewer('0.1.0', '1.0.0')).toBe(false);
  });

  it('names the versioned URL to run, and says nothing when it is current, unknown or unpacked', () => {
    const url = 'https://broker.example.org/partner-kit/tlp-broker-partner-0.2.0.tgz';
    expect(newerKitWarning({ version: '0.2.0', url }, '0.1.0')).toBe(
      `tlp-broker-partner 0.2.0 is available from the broker (this is 0.1.0): npx --yes ${url} …`,
    );
    expect(newerKitWarning({ version: '0.1.0', url }, '0.1.0')).toBeNull();
    expect(newerKitWarning(null, '0.1.0')).toBeNull();
    expect(newerKitWarning({ version: '0.2.0', url }, null)).toBeNull();
  });
});

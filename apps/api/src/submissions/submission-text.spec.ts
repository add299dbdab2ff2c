import { describe, expect, it } from 'vitest';
import { readSubmittedText, titleOf } from './submission-text';

describe('reading a submitted text', () => {
  it('reads the label and PAP the sender wrote, the most restrictive when several', () => {
    const reading = readSubmittedText('Subject: TLP:GREEN update\nThis part is TLP:RED.\nPAP:AMBER\n');
    expect(reading).toMatchObject({ tlp: 'TLP:RED', pap: 'PAP:AMBER', flags: [] });
  });

  it('holds a text without a label as TLP:AMBER, flagged as assumed', () => {
    expect(readSubmittedText('No marking here, PAP:CLEAR only')).toMatchObject({
      tlp: 'TLP:AMBER',
      pap: 'PAP:CLEAR',
      flags: ['label-assumed'],
    });
  });

  it('finds the indicators written in it, refanged', () => {
    expect(readSubmittedText('C2 at hxxp://evil[.]example/gate and 203.0.113[.]9').indicators).toEqual([
      { type: 'url', value: 'http://evil.example/gate' },
      { type: 'ipv4', value: '203.0.113.9' },
    ]);
  });

  it('titles it by its first line that holds something, on one line, bounded', () => {
    expect(titleOf('\n \r\n  Phishing\twave  against\u0007 town halls \nmore')).toBe(
      'Phishing wave against town halls',
    );
    expect(titleOf('x'.repeat(500))).toHaveLength(200);
    expect(titleOf('😀'.repeat(300), 10)).toBe('😀'.repeat(10));
    expect(titleOf(' \n\t\n')).toBeNull();
  });
});

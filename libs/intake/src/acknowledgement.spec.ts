import { describe, expect, it } from 'vitest';
import { AcknowledgedSubmission, acknowledgementMessage, replyMessage } from './acknowledgement';

const team = { name: 'Police CSIRT', fingerprint: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' };

const submission = (change: Partial<AcknowledgedSubmission> = {}): AcknowledgedSubmission => ({
  reference: 'PJ-2026-000123',
  receivedAt: new Date('2026-03-04T09:05:41.123Z'),
  source: 'email',
  encrypted: true,
  senderProof: 'signature',
  signerFingerprint: '0011223344556677889900AABBCCDDEEFF001122',
  title: 'Phishing wave against town halls',
  tlp: 'TLP:AMBER',
  pap: 'PAP:GREEN',
  flags: [],
  ...change,
});

describe('acknowledgementMessage', () => {
  it('gives the reference, when and how the report came in, its title and label, and how to quote it', () => {
    const { subject, text } = acknowledgementMessage(submission(), team);
    expect(subject).toBe('[PJ-2026-000123] Received: your report');
    expect(text).toContain('Police CSIRT has received your report.');
    expect(text).toContain('Reference: PJ-2026-000123');
    expect(text).toContain('Received:  2026-03-04 09:05 UTC');
    expect(text).toContain('How:       by e-mail, encrypted to the team key\n');
    expect(text).toContain('Signed by: your key 0011 2233 4455 6677 8899 00AA BBCC DDEE FF00 1122\n');
    expect(text).toContain('Title:     Phishing wave against town halls');
    expect(text).toMatch(/^Label: {5}TLP:AMBER$/m);
    expect(text).toMatch(/^PAP: {7}PAP:GREEN$/m);
    expect(text).toContain('What happens next');
    expect(text).toContain('Quote PJ-2026-000123 in the subject');
    expect(text).toContain('"[PJ-2026-000123] further logs"');
    expect(text).toContain('Signed with the team key A1B2 C3D4 E5F6 0718 293A 4B5C 6D7E 8F90 1234 5678');
    expect(text).not.toContain('No TLP label was found');
  });

  it('says when the label was assumed, and what the sender can do about it', () => {
    const { text } = acknowledgementMessage(submission({ flags: ['label-assumed'] }), team);
    expect(text).toMatch(/^Label: {5}TLP:AMBER \(assumed, see below\)$/m);
    expect(text).toContain('No TLP label was found in your report: the team holds it as TLP:AMBER until an analyst');
    const none = acknowledgementMessage(submission({ tlp: null, pap: null }), team).text;
    expect(none).toMatch(/^Label: {5}none recorded/m);
    expect(none).toContain('No TLP label was found');
    expect(none).not.toContain('PAP:');
  });

  it.each([
    [{ source: 'email', encrypted: false }, ['How:       by e-mail, not encrypted', 'Signed by: your key 0011']],
    [{ source: 'api' }, ["How:       through the broker's API", 'Signed by: your key']],
    [
      { source: 'form', senderProof: 'portal', signerFingerprint: null },
      ["How:       through the reporters' portal", 'Sent with: your portal account'],
    ],
    [{ source: 'form', senderProof: 'staff', signerFingerprint: null }, ['entered for you by a member of the team']],
    [
      { source: 'taxii', senderProof: 'credential', signerFingerprint: null },
      ['How:       to your TAXII inbox collection', "Sent with: your organisation's credential"],
    ],
  ] as const)('says how %j came in and how its sender is known', (change, said) => {
    const { text } = acknowledgementMessage(submission(change as Partial<AcknowledgedSubmission>), team);
    for (const line of said) expect(text).toContain(line);
  });

  it('never puts the title in the subject, and keeps a title with line breaks to one bounded line', () => {
    const title = `Wave\r\nBcc: all@evil.example ${'x'.repeat(400)}`;
    const { subject, text } = acknowledgementMessage(submission({ title }), team);
    expect(subject).not.toContain('Wave');
    const line = text.split('\n').find((l) => l.startsWith('Title:'))!;
    expect(line.startsWith('Title:     Wave Bcc: all@evil.example xxx')).toBe(true);
    expect(line.length).toBeLessThanOrEqual('Title:     '.length + 200);
    expect(text).not.toMatch(/^Bcc:/m);
  });

  it('leaves out the title line when there is none, and says nothing more of the content', () => {
    const { text } = acknowledgementMessage(submission({ title: null }), team);
    expect(text).not.toContain('Title:');
  });

  it('refuses a submission without a reference (a rejected one is never answered)', () => {
    expect(() => acknowledgementMessage(submission({ reference: null }), team)).toThrow(/reference/);
  });
});

describe('replyMessage', () => {
  it("quotes the reference around the analyst's text, from the team, the subject naming only the reference", () => {
    const body = 'Thank you.\r\nCould you send the full headers?\n';
    const { subject, text } = replyMessage(submission(), body, team);
    expect(subject).toBe('[PJ-2026-000123] Reply from Police CSIRT');
    expect(text.startsWith('About your report PJ-2026-000123 (received 2026-03-04 09:05 UTC):\n\n')).toBe(true);
    expect(text).toContain('Thank you.\nCould you send the full headers?\n\nQuote PJ-2026-000123 in the subject');
    expect(text).toContain('-- \nPolice CSIRT\nSigned with the team key A1B2');
  });

  it('keeps a team name with a line break to one line of the subject', () => {
    const { subject } = replyMessage(submission(), 'ok', { ...team, name: 'Police\r\nBcc: all@evil.example' });
    expect(subject).toBe('[PJ-2026-000123] Reply from Police Bcc: all@evil.example');
  });
});

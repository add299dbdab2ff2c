import { describe, expect, it } from 'vitest';
import type { TlpLabel } from './labels';
import { decide, decideAll, prepare, PolicyChannel, PolicyItem, PolicyOrganisation, Recipient } from './policy';

const NOW = new Date('2026-12-05T22:40:00.000Z');
const key = {
  fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567',
  expiresAt: null,
  revoked: false,
  canEncrypt: true,
};
const OFF_HOURS = {
  needed: true,
  reason: 'Europol EC3 is outside its business hours (Saturday 23:40 in Europe/Amsterdam)',
};
const IN_HOURS = { needed: false, reason: 'Europol EC3 is in its business hours (Tuesday 10:00 in Europe/Amsterdam)' };

const ec3 = (duty = OFF_HOURS): PolicyOrganisation => ({
  id: 'org-ec3',
  name: 'Europol EC3',
  relation: 'peer',
  communities: ['eu-lea'],
  status: 'active',
  duty,
});
const dutyEmail: PolicyChannel = {
  id: 'ch-duty',
  kind: 'email',
  redistributes: false,
  status: 'active',
  contact: { id: 'contact-duty', name: 'Jan de Vries', status: 'active' },
  key,
  onCall: true,
};
const teamMailbox: PolicyChannel = { ...dutyEmail, id: 'ch-team', contact: null, onCall: false };
const pager: PolicyChannel = { ...dutyEmail, id: 'ch-pager', kind: 'pager', contact: null, key: null };

const alert = (tlp: TlpLabel, contacts: string[] = []): PolicyItem => ({
  kind: 'alert',
  tlp,
  audience: { communities: ['eu-lea'], organisations: ['org-ec3'], contacts },
  urgent: true,
});

/** Urgent items outside a partner's hours also reach its duty contact and its paging hook, under the same rules. */
describe('on-call channels', () => {
  it("carries an urgent TLP:AMBER alert to the duty contact outside the organisation's hours, and says why", () => {
    const decision = decide({ item: alert('TLP:AMBER'), organisation: ec3(), channel: dutyEmail, now: NOW });
    expect(decision).toMatchObject({ allow: true, code: 'tlp.amber.named' });
    expect(decision.reason).toContain('On call: Europol EC3 is outside its business hours (Saturday 23:40');
  });

  it('is not used in business hours, nor for what is not urgent', () => {
    const inHours = decide({ item: alert('TLP:AMBER'), organisation: ec3(IN_HOURS), channel: dutyEmail, now: NOW });
    expect(inHours).toMatchObject({ allow: false, code: 'oncall.not-needed' });
    expect(inHours.reason).toBe(
      'Europol EC3 is in its business hours (Tuesday 10:00 in Europe/Amsterdam), so the on-call email channel of Jan de Vries (Europol EC3) is not used for this TLP:AMBER alert.',
    );
    const advisory = { ...alert('TLP:AMBER'), kind: 'advisory' as const, urgent: false };
    const notUrgent = decide({ item: advisory, organisation: ec3(), channel: dutyEmail, now: NOW });
    expect(notUrgent).toMatchObject({ allow: false, code: 'oncall.not-urgent' });
    expect(notUrgent.reason).toContain('carries only urgent items');
  });

  it('at TLP:RED reaches a duty contact only when that person is named in the audience', () => {
    const unnamed = decide({ item: alert('TLP:RED'), organisation: ec3(), channel: dutyEmail, now: NOW });
    expect(unnamed).toMatchObject({ allow: false, code: 'channel.personal.not-named' });
    expect(unnamed.reason).toContain("reaches a duty contact's on-call channel only when that person is named");
    const named = decide({
      item: alert('TLP:RED', ['contact-duty']),
      organisation: ec3(),
      channel: dutyEmail,
      now: NOW,
    });
    expect(named).toMatchObject({ allow: true, code: 'tlp.red.named-contact' });
    const webhook = decide({
      item: alert('TLP:RED', ['contact-duty']),
      organisation: ec3(),
      channel: { ...dutyEmail, kind: 'webhook' },
      now: NOW,
    });
    expect(webhook).toMatchObject({ allow: false, code: 'tlp.red.not-personal-channel' });
  });

  it('still needs a valid key above TLP:CLEAR', () => {
    const decision = decide({
      item: alert('TLP:AMBER'),
      organisation: ec3(),
      channel: { ...dutyEmail, key: { ...key, revoked: true } },
      now: NOW,
    });
    expect(decision).toMatchObject({ allow: false, code: 'key.revoked' });
  });

  it('pages the paging hook, without content, only when the organisation receives the item on another channel', () => {
    const recipients: Recipient[] = [
      { organisation: ec3(), channel: teamMailbox },
      { organisation: ec3(), channel: pager },
    ];
    const amber = decideAll(prepare(alert('TLP:AMBER')), recipients, NOW);
    expect(amber.map((decision) => decision.code)).toEqual(['tlp.amber.named', 'pager.notice']);
    expect(amber[1]!.reason).toContain('without content');

    // TLP:RED to nobody at EC3: its shared mailbox is refused, so the page has nothing to announce.
    const red = decideAll(prepare(alert('TLP:RED', ['contact-elsewhere'])), recipients, NOW);
    expect(red.map((decision) => decision.code)).toEqual(['tlp.red.not-personal-channel', 'pager.nothing-delivered']);
    expect(red[1]).toMatchObject({ allow: false });
    expect(red[1]!.reason).toBe(
      'Europol EC3 receives this TLP:RED alert on no channel, so its paging hook has nothing to announce.',
    );
  });

  it("does not page an organisation whose only other channel is another organisation's", () => {
    const other: PolicyOrganisation = { ...ec3(), id: 'org-other', name: 'CERT-EU' };
    const decisions = decideAll(
      prepare(alert('TLP:AMBER')),
      [
        { organisation: other, channel: { ...teamMailbox, id: 'ch-other' } },
        { organisation: ec3(), channel: pager },
      ],
      NOW,
    );
    expect(decisions.map((decision) => decision.code)).toEqual(['tlp.amber.not-named', 'pager.nothing-delivered']);
  });

  it('leaves ordinary channels as they were, urgent or not', () => {
    for (const duty of [OFF_HOURS, IN_HOURS]) {
      const decision = decide({ item: alert('TLP:AMBER'), organisation: ec3(duty), channel: teamMailbox, now: NOW });
      expect(decision).toEqual({
        allow: true,
        code: 'tlp.amber.named',
        reason: 'Europol EC3 is named in the audience of this TLP:AMBER alert.',
        handling: null,
      });
    }
  });
});

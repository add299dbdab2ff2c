import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TLP_LABELS } from '@tlp-broker/tlp';
import { ChannelError } from './channel-error';
import { MailIdentityInput, itemReference, mailMessageId, mailSubject } from './mail-identity';

const ITEM_ID = '3f2a9c1e-7b4d-4c1a-9e2f-0a1b2c3d4e5f';
const BASE: MailIdentityInput = {
  deliveryId: '9001',
  itemId: ITEM_ID,
  version: 2,
  itemType: 'advisory',
  tlp: 'TLP:AMBER',
  title: 'Ransomware « LockBit » hits the Paris prosecutor',
};

describe('mailSubject', () => {
  it('carries the label, the type and a reference, and no title above TLP:CLEAR', () => {
    for (const tlp of TLP_LABELS.filter((label) => label !== 'TLP:CLEAR')) {
      expect(mailSubject({ ...BASE, tlp })).toBe(`[${tlp}] advisory 3f2a9c1e v2`);
    }
  });

  it('says RECALL for a recall notice, and never carries a title then, not even for TLP:CLEAR', () => {
    for (const tlp of TLP_LABELS) {
      expect(mailSubject({ ...BASE, tlp, notice: 'recall' })).toBe(`[${tlp}] RECALL of advisory 3f2a9c1e v2`);
    }
  });

  it('adds the title for TLP:CLEAR only, as one line', () => {
    expect(
      mailSubject({ ...BASE, tlp: 'TLP:CLEAR', title: ' Phishing\r\nwave \t impersonating\u2028the police ' }),
    ).toBe('[TLP:CLEAR] advisory 3f2a9c1e v2: Phishing wave impersonating the police');
    expect(mailSubject({ ...BASE, tlp: 'TLP:CLEAR', title: undefined })).toBe('[TLP:CLEAR] advisory 3f2a9c1e v2');
    expect(mailSubject({ ...BASE, tlp: 'TLP:CLEAR', title: ' \n ' })).toBe('[TLP:CLEAR] advisory 3f2a9c1e v2');
  });

  it('drops from a TLP:CLEAR title what no header can carry, rather than making the message unbuildable', () => {
    const title = 'Ransom\u0000ware\u0007 wave\u007f \u0085hits\ud800 the\ufffe police\u001b[31m';
    expect(mailSubject({ ...BASE, tlp: 'TLP:CLEAR', title })).toBe(
      '[TLP:CLEAR] advisory 3f2a9c1e v2: Ransomware wave hits the police[31m',
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(mailSubject({ ...BASE, tlp: 'TLP:CLEAR', title: text })).not.toMatch(
          /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/,
        );
      }),
    );
  });

  it('never contains the title above TLP:CLEAR, whatever the title', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 3 }),
        fc.constantFrom(...TLP_LABELS.filter((label) => label !== 'TLP:CLEAR')),
        (title, tlp) => {
          const subject = mailSubject({ ...BASE, tlp, title: `secret-${title}` });
          expect(subject).not.toContain('secret-');
        },
      ),
    );
  });

  it.each([
    ['itemType', { itemType: 'advisory\r\nBcc: x@evil.example' }],
    ['itemType', { itemType: 'Advisory' }],
    ['itemId', { itemId: 'x\r\nBcc: y' }],
    ['itemId', { itemId: '<a@b>' }],
    ['version', { version: 0 }],
    ['version', { version: 1.5 }],
    ['deliveryId', { deliveryId: '' }],
  ] as const)('refuses a bad %s with a permanent error naming it', (field, change) => {
    const attempt = () => mailSubject({ ...BASE, ...change } as MailIdentityInput);
    expect(attempt).toThrow(ChannelError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ field, permanent: true, code: 'invalid-input', channel: 'email' });
    }
  });

  it('references an item by the first eight characters of its id', () => {
    expect(itemReference(ITEM_ID, 12)).toBe('3f2a9c1e v12');
  });
});

describe('mailMessageId', () => {
  it('is the same for the same delivery, whatever else changes', () => {
    const first = mailMessageId(BASE, 'csirt@broker.example.org');
    expect(first).toMatch(/^<3f2a9c1e-7b4d-4c1a-9e2f-0a1b2c3d4e5f\.v2\.[0-9a-f]{16}@broker\.example\.org>$/);
    expect(mailMessageId({ ...BASE }, 'other-sender@BROKER.example.org')).toBe(first);
  });

  it('differs between deliveries and between versions', () => {
    const ids = new Set([
      mailMessageId(BASE, 'csirt@broker.example.org'),
      mailMessageId({ ...BASE, deliveryId: '9002' }, 'csirt@broker.example.org'),
      mailMessageId({ ...BASE, version: 3 }, 'csirt@broker.example.org'),
    ]);
    expect(ids.size).toBe(3);
  });

  it('does not show the delivery id', () => {
    expect(mailMessageId({ ...BASE, deliveryId: 'partner-42-email' }, 'csirt@broker.example.org')).not.toContain(
      'partner-42',
    );
  });

  it('needs a sender address with a domain', () => {
    expect(() => mailMessageId(BASE, 'csirt')).toThrow(/from\.address/);
  });
});

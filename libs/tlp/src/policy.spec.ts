import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TLP_LABELS, TlpLabel, tlpRank } from './labels';
import type { ChannelKind, ItemKind } from '@tlp-broker/domain';
import {
  AMBER_CLIENTS_HANDLING,
  Decision,
  DecisionInput,
  PolicyChannel,
  PolicyContact,
  PolicyItem,
  PolicyKey,
  PolicyOrganisation,
  ReasonCode,
  decide,
  isEmptyAudience,
} from './policy';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const FINGERPRINT = '0123456789ABCDEF0123456789ABCDEF01234567';

const validKey = (overrides: Partial<PolicyKey> = {}): PolicyKey => ({
  fingerprint: FINGERPRINT,
  expiresAt: new Date('2027-01-01T00:00:00.000Z'),
  revoked: false,
  canEncrypt: true,
  ...overrides,
});

const organisation = (overrides: Partial<PolicyOrganisation> = {}): PolicyOrganisation => ({
  id: 'org-other',
  name: 'CERT Ruritania',
  relation: 'peer',
  communities: [],
  status: 'active',
  ...overrides,
});

const contact = (overrides: Partial<PolicyContact> = {}): PolicyContact => ({
  id: 'contact-alice',
  name: 'Alice Martin',
  status: 'active',
  ...overrides,
});

const channel = (overrides: Partial<PolicyChannel> = {}): PolicyChannel => ({
  id: 'channel-1',
  kind: 'email',
  redistributes: false,
  status: 'active',
  contact: null,
  key: validKey(),
  ...overrides,
});

/** The audience every table row is decided against. */
const AUDIENCE: PolicyItem['audience'] = {
  communities: ['eu-cert'],
  organisations: ['org-named'],
  contacts: ['contact-alice'],
};

const item = (tlp: TlpLabel, audience: PolicyItem['audience'] = AUDIENCE, kind: ItemKind = 'alert'): PolicyItem => ({
  kind,
  tlp,
  audience,
});

const input = (
  tlp: TlpLabel,
  org: PolicyOrganisation,
  ch: PolicyChannel,
  extra: Partial<DecisionInput> = {},
): DecisionInput => ({
  item: item(tlp),
  organisation: org,
  channel: ch,
  now: NOW,
  ...extra,
});

type Expect = readonly [ReasonCode, boolean];
const ALLOW = (code: ReasonCode): Expect => [code, true];
const DENY = (code: ReasonCode): Expect => [code, false];

interface Shape {
  readonly name: string;
  readonly organisation: PolicyOrganisation;
  readonly channel: PolicyChannel;
  /** Expected [code, allow] per label, in TLP_LABELS order. */
  readonly expected: readonly [Expect, Expect, Expect, Expect, Expect];
}

const SHAPES: readonly Shape[] = [
  {
    name: 'peer in the target community, not named, team mailbox',
    organisation: organisation({ communities: ['eu-cert', 'fr-lea'] }),
    channel: channel(),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.in-community'),
      DENY('tlp.amber.not-named'),
      DENY('tlp.amber-strict.not-named'),
      DENY('tlp.red.not-personal-channel'),
    ],
  },
  {
    name: 'peer outside the target community, not named',
    organisation: organisation({ communities: ['fr-lea'] }),
    channel: channel(),
    expected: [
      ALLOW('tlp.clear.allowed'),
      DENY('tlp.green.not-in-community'),
      DENY('tlp.amber.not-named'),
      DENY('tlp.amber-strict.not-named'),
      DENY('tlp.red.not-personal-channel'),
    ],
  },
  {
    name: 'peer outside the target community but named',
    organisation: organisation({ id: 'org-named', communities: ['fr-lea'] }),
    channel: channel(),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.named'),
      ALLOW('tlp.amber.named'),
      ALLOW('tlp.amber-strict.named'),
      DENY('tlp.red.not-personal-channel'),
    ],
  },
  {
    name: 'peer in the target community and named',
    organisation: organisation({ id: 'org-named', communities: ['eu-cert'] }),
    channel: channel({ kind: 'feed' }),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.in-community'),
      ALLOW('tlp.amber.named'),
      ALLOW('tlp.amber-strict.named'),
      DENY('tlp.red.not-personal-channel'),
    ],
  },
  {
    name: 'named peer on a webhook',
    organisation: organisation({ id: 'org-named' }),
    channel: channel({ kind: 'webhook' }),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.named'),
      ALLOW('tlp.amber.named'),
      ALLOW('tlp.amber-strict.named'),
      DENY('tlp.red.not-personal-channel'),
    ],
  },
  {
    name: 'constituent, named',
    organisation: organisation({ id: 'org-named', relation: 'constituent' }),
    channel: channel({ kind: 'feed' }),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.named'),
      ALLOW('tlp.amber.named'),
      ALLOW('tlp.amber-strict.named'),
      DENY('tlp.red.not-personal-channel'),
    ],
  },
  {
    name: 'constituent in the community, not named',
    organisation: organisation({ relation: 'constituent', communities: ['eu-cert'] }),
    channel: channel({ kind: 'feed' }),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.in-community'),
      DENY('tlp.amber.not-named'),
      DENY('tlp.amber-strict.not-named'),
      DENY('tlp.red.not-personal-channel'),
    ],
  },
  {
    name: 'named peer on a redistributing channel',
    organisation: organisation({ id: 'org-named' }),
    channel: channel({ kind: 'feed', redistributes: true }),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.named'),
      ALLOW('tlp.amber.named'),
      DENY('tlp.amber-strict.redistributes'),
      DENY('tlp.red.not-personal-channel'),
    ],
  },
  {
    name: 'unnamed peer in the community on a redistributing channel',
    organisation: organisation({ communities: ['eu-cert'] }),
    channel: channel({ kind: 'email', redistributes: true }),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.in-community'),
      DENY('tlp.amber.not-named'),
      DENY('tlp.amber-strict.not-named'),
      DENY('tlp.red.not-personal-channel'),
    ],
  },
  {
    name: 'personal e-mail of a named contact (organisation neither named nor in the community)',
    organisation: organisation({ communities: ['fr-lea'] }),
    channel: channel({ contact: contact() }),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.named'),
      ALLOW('tlp.amber.named'),
      ALLOW('tlp.amber-strict.named'),
      ALLOW('tlp.red.named-contact'),
    ],
  },
  {
    name: 'personal pull feed of a named contact',
    organisation: organisation({ id: 'org-named', communities: ['eu-cert'] }),
    channel: channel({ kind: 'feed', contact: contact() }),
    expected: [
      ALLOW('tlp.clear.allowed'),
      ALLOW('tlp.green.named'),
      ALLOW('tlp.amber.named'),
      ALLOW('tlp.amber-strict.named'),
      ALLOW('tlp.red.named-contact'),
    ],
  },
  {
    name: 'personal channel of a contact not named (organisation named and in the community)',
    organisation: organisation({ id: 'org-named', communities: ['eu-cert'] }),
    channel: channel({ contact: contact({ id: 'contact-bob', name: 'Bob Durand' }) }),
    expected: [
      DENY('channel.personal.not-named'),
      DENY('channel.personal.not-named'),
      DENY('channel.personal.not-named'),
      DENY('channel.personal.not-named'),
      DENY('channel.personal.not-named'),
    ],
  },
  {
    name: 'public channel of a named organisation in the community',
    organisation: organisation({ id: 'org-named', communities: ['eu-cert'] }),
    channel: channel({ kind: 'public', key: null }),
    expected: [
      ALLOW('tlp.clear.allowed'),
      DENY('channel.public.above-clear'),
      DENY('channel.public.above-clear'),
      DENY('channel.public.above-clear'),
      DENY('channel.public.above-clear'),
    ],
  },
];

const TABLE = SHAPES.flatMap((shape) =>
  TLP_LABELS.map((label, index) => ({
    shape: shape.name,
    label,
    shapeDef: shape,
    code: shape.expected[index][0],
    allow: shape.expected[index][1],
  })),
);

/** Codes whose reason is known not to name the organisation (reported separately). */
const REASON_WITHOUT_ORGANISATION: ReadonlySet<ReasonCode> = new Set([]);

describe('decide: labels × recipient shapes', () => {
  it.each(TABLE)('$label to $shape → $code (allow=$allow)', ({ label, shapeDef, code, allow }) => {
    const decision = decide(input(label, shapeDef.organisation, shapeDef.channel));
    expect({ code: decision.code, allow: decision.allow }).toEqual({ code, allow });
  });

  it.each(TABLE)('$label to $shape: the reason is a sentence an analyst can read', ({ label, shapeDef }) => {
    const decision = decide(input(label, shapeDef.organisation, shapeDef.channel));
    expect(decision.reason.trim().length).toBeGreaterThan(20);
    expect(decision.reason).toMatch(/^[A-Z].*\.$/s);
    if (!REASON_WITHOUT_ORGANISATION.has(decision.code)) {
      expect(decision.reason).toContain(shapeDef.organisation.name);
    }
  });

  it('names the contact and the organisation in a personal-channel decision', () => {
    const decision = decide(input('TLP:RED', organisation(), channel({ contact: contact() })));
    expect(decision.reason).toContain('Alice Martin');
    expect(decision.reason).toContain('CERT Ruritania');
    expect(decision.reason).toContain('TLP:RED');
  });

  it('names the contact who is not in the audience', () => {
    const decision = decide(
      input('TLP:AMBER', organisation(), channel({ contact: contact({ id: 'contact-bob', name: 'Bob Durand' }) })),
    );
    expect(decision.reason).toContain('Bob Durand');
    expect(decision.reason).toContain('not named');
  });

  it('names the communities an outsider is not a member of', () => {
    const decision = decide({
      item: item('TLP:GREEN', { communities: ['eu-cert', 'fr-lea', 'nl-isac'], organisations: [], contacts: [] }),
      organisation: organisation({ communities: ['de-cert'] }),
      channel: channel(),
      now: NOW,
    });
    expect(decision.code).toBe('tlp.green.not-in-community');
    expect(decision.reason).toContain('"eu-cert", "fr-lea" or "nl-isac"');
    expect(decision.reason).toContain('CERT Ruritania');
  });

  it('names the shared community when an organisation belongs to one of several', () => {
    const decision = decide({
      item: item('TLP:GREEN', { communities: ['eu-cert', 'fr-lea'], organisations: [], contacts: [] }),
      organisation: organisation({ communities: ['fr-lea'] }),
      channel: channel(),
      now: NOW,
    });
    expect(decision).toMatchObject({ allow: true, code: 'tlp.green.in-community' });
    expect(decision.reason).toContain('"fr-lea"');
  });

  it('says TLP:RED is refused on a shared channel because it is shared', () => {
    const decision = decide(input('TLP:RED', organisation({ id: 'org-named' }), channel({ kind: 'email' })));
    expect(decision.reason).toContain('shared');
    expect(decision.reason).toContain('CERT Ruritania');
  });
});

describe('decide: TLP:GREEN audience edge cases', () => {
  const empty = { communities: [], organisations: [], contacts: [] };

  it('with no audience at all, goes to nobody (intake refuses such an item)', () => {
    const decision = decide({
      item: item('TLP:GREEN', empty),
      organisation: organisation({ communities: ['eu-cert'] }),
      channel: channel(),
      now: NOW,
    });
    expect(decision).toMatchObject({ allow: false, code: 'tlp.green.not-in-community' });
    expect(decision.reason).toContain('CERT Ruritania');
  });

  it('with no audience at all, still never goes to a public channel', () => {
    const decision = decide({
      item: item('TLP:GREEN', empty),
      organisation: organisation(),
      channel: channel({ kind: 'public', key: null }),
      now: NOW,
    });
    expect(decision).toMatchObject({ allow: false, code: 'channel.public.above-clear' });
  });

  it('with no audience at all, does not open AMBER to anyone', () => {
    const decision = decide({
      item: item('TLP:AMBER', empty),
      organisation: organisation(),
      channel: channel(),
      now: NOW,
    });
    expect(decision).toMatchObject({ allow: false, code: 'tlp.amber.not-named' });
  });

  it('with only named organisations, reaches those and no others', () => {
    const audience = { communities: [], organisations: ['org-named'], contacts: [] };
    const named = decide({
      item: item('TLP:GREEN', audience),
      organisation: organisation({ id: 'org-named' }),
      channel: channel(),
      now: NOW,
    });
    const other = decide({
      item: item('TLP:GREEN', audience),
      organisation: organisation({ communities: ['eu-cert'] }),
      channel: channel(),
      now: NOW,
    });
    expect(named).toMatchObject({ allow: true, code: 'tlp.green.named' });
    expect(other).toMatchObject({ allow: false, code: 'tlp.green.not-in-community' });
    expect(other.reason).toContain('not named');
  });

  it('with only named contacts, does not reach an organisation channel', () => {
    const audience = { communities: [], organisations: [], contacts: ['contact-alice'] };
    const decision = decide({
      item: item('TLP:GREEN', audience),
      organisation: organisation(),
      channel: channel(),
      now: NOW,
    });
    expect(decision.allow).toBe(false);
  });

  it('isEmptyAudience is true only when nothing is named', () => {
    expect(isEmptyAudience(item('TLP:GREEN', empty))).toBe(true);
    expect(isEmptyAudience(item('TLP:GREEN', { ...empty, communities: ['x'] }))).toBe(false);
    expect(isEmptyAudience(item('TLP:GREEN', { ...empty, organisations: ['x'] }))).toBe(false);
    expect(isEmptyAudience(item('TLP:GREEN', { ...empty, contacts: ['x'] }))).toBe(false);
  });
});

describe('decide: the recipient key', () => {
  const ABOVE_CLEAR: readonly TlpLabel[] = ['TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'];
  /** A recipient every label above CLEAR would reach, if its key were good. */
  const reachable = (key: PolicyKey | null): PolicyChannel => channel({ kind: 'feed', contact: contact(), key });
  const namedOrg = organisation({ id: 'org-named', communities: ['eu-cert'] });

  const KEY_CASES: readonly { name: string; key: PolicyKey | null; code: ReasonCode }[] = [
    { name: 'no key', key: null, code: 'key.missing' },
    { name: 'a revoked key', key: validKey({ revoked: true }), code: 'key.revoked' },
    { name: 'a key expiring exactly now', key: validKey({ expiresAt: new Date(NOW.getTime()) }), code: 'key.expired' },
    {
      name: 'a key that expired a millisecond ago',
      key: validKey({ expiresAt: new Date(NOW.getTime() - 1) }),
      code: 'key.expired',
    },
    {
      name: 'a key that expired last year',
      key: validKey({ expiresAt: new Date('2024-06-01T00:00:00Z') }),
      code: 'key.expired',
    },
    { name: 'a key with no encryption capability', key: validKey({ canEncrypt: false }), code: 'key.cannot-encrypt' },
  ];

  for (const label of ABOVE_CLEAR) {
    it.each(KEY_CASES)(`${label} to a recipient with $name → $code`, ({ key, code }) => {
      const decision = decide(input(label, namedOrg, reachable(key)));
      expect(decision).toMatchObject({ allow: false, code, handling: null });
      expect(decision.reason).toContain('Alice Martin');
      expect(decision.reason).toContain('CERT Ruritania');
      if (key !== null) expect(decision.reason).toContain(FINGERPRINT);
    });
  }

  it.each(ABOVE_CLEAR)('%s is allowed with a key expiring a millisecond after now', (label) => {
    const decision = decide(input(label, namedOrg, reachable(validKey({ expiresAt: new Date(NOW.getTime() + 1) }))));
    expect(decision.allow).toBe(true);
  });

  it.each(ABOVE_CLEAR)('%s is allowed with a key that never expires', (label) => {
    expect(decide(input(label, namedOrg, reachable(validKey({ expiresAt: null })))).allow).toBe(true);
  });

  it('checks the key for an organisation channel too', () => {
    const decision = decide(input('TLP:AMBER', namedOrg, channel({ key: null })));
    expect(decision).toMatchObject({ allow: false, code: 'key.missing' });
    expect(decision.reason).toContain('CERT Ruritania');
    expect(decision.reason).toContain('TLP:AMBER');
  });

  it('gives the expiry date when a key has expired', () => {
    const expiresAt = new Date('2025-05-31T08:00:00.000Z');
    const decision = decide(input('TLP:GREEN', namedOrg, channel({ key: validKey({ expiresAt }) })));
    expect(decision.code).toBe('key.expired');
    expect(decision.reason).toContain(expiresAt.toISOString());
  });

  it('uses the decision time it is handed, not the clock', () => {
    const key = validKey({ expiresAt: new Date('2025-06-01T00:00:00Z') });
    const before = decide(
      input('TLP:AMBER', namedOrg, channel({ key }), { now: new Date('2025-05-31T23:59:59.999Z') }),
    );
    const after = decide(input('TLP:AMBER', namedOrg, channel({ key }), { now: new Date('2025-06-01T00:00:00Z') }));
    expect(before.allow).toBe(true);
    expect(after).toMatchObject({ allow: false, code: 'key.expired' });
  });

  it('reports revocation before expiry, and expiry before the missing encryption capability', () => {
    const all = validKey({ revoked: true, expiresAt: new Date(NOW.getTime() - 1000), canEncrypt: false });
    expect(decide(input('TLP:AMBER', namedOrg, channel({ key: all }))).code).toBe('key.revoked');
    expect(decide(input('TLP:AMBER', namedOrg, channel({ key: { ...all, revoked: false } }))).code).toBe('key.expired');
  });

  it.each(KEY_CASES)('TLP:CLEAR needs no key: $name is still allowed', ({ key }) => {
    const org = decide(input('TLP:CLEAR', organisation(), channel({ key })));
    const personal = decide(input('TLP:CLEAR', organisation(), reachable(key)));
    expect(org).toMatchObject({ allow: true, code: 'tlp.clear.allowed' });
    expect(personal).toMatchObject({ allow: true, code: 'tlp.clear.allowed' });
  });

  it('reports the label reason, not the key, when the label already refuses the recipient', () => {
    const decision = decide(input('TLP:AMBER', organisation(), channel({ key: null })));
    expect(decision.code).toBe('tlp.amber.not-named');
  });
});

describe('decide: suspension', () => {
  const namedOrg = organisation({ id: 'org-named', communities: ['eu-cert'] });

  it.each(TLP_LABELS)('%s: a suspended organisation receives nothing, even on a named personal channel', (label) => {
    const decision = decide(input(label, { ...namedOrg, status: 'suspended' }, channel({ contact: contact() })));
    expect(decision).toMatchObject({ allow: false, code: 'partner.suspended', handling: null });
    expect(decision.reason).toContain('CERT Ruritania');
    expect(decision.reason).toContain('suspended');
  });

  it.each(TLP_LABELS)('%s: a suspended contact receives nothing', (label) => {
    const decision = decide(input(label, namedOrg, channel({ contact: contact({ status: 'suspended' }) })));
    expect(decision).toMatchObject({ allow: false, code: 'contact.suspended' });
    expect(decision.reason).toContain('Alice Martin');
    expect(decision.reason).toContain('CERT Ruritania');
  });

  it.each(TLP_LABELS)('%s: a suspended channel receives nothing', (label) => {
    const decision = decide(input(label, namedOrg, channel({ status: 'suspended' })));
    expect(decision).toMatchObject({ allow: false, code: 'channel.suspended' });
    expect(decision.reason).toContain('CERT Ruritania');
  });

  it('a suspended public channel does not carry TLP:CLEAR', () => {
    expect(decide(input('TLP:CLEAR', namedOrg, channel({ kind: 'public', status: 'suspended' }))).allow).toBe(false);
  });

  it('reports the organisation suspension first', () => {
    const decision = decide(
      input(
        'TLP:AMBER',
        { ...namedOrg, status: 'suspended' },
        channel({ status: 'suspended', contact: contact({ status: 'suspended' }) }),
      ),
    );
    expect(decision.code).toBe('partner.suspended');
  });
});

describe('decide: AMBER handling instruction', () => {
  it('tells a named constituent it may share with its clients', () => {
    const decision = decide(input('TLP:AMBER', organisation({ id: 'org-named', relation: 'constituent' }), channel()));
    expect(decision).toMatchObject({ allow: true, code: 'tlp.amber.named', handling: AMBER_CLIENTS_HANDLING });
  });

  it('tells a redistributing channel of a named peer it may share with its clients', () => {
    const decision = decide(input('TLP:AMBER', organisation({ id: 'org-named' }), channel({ redistributes: true })));
    expect(decision).toMatchObject({ allow: true, handling: AMBER_CLIENTS_HANDLING });
  });

  it('tells a named contact of a constituent the same', () => {
    const decision = decide(
      input('TLP:AMBER', organisation({ relation: 'constituent' }), channel({ contact: contact() })),
    );
    expect(decision).toMatchObject({ allow: true, handling: AMBER_CLIENTS_HANDLING });
  });

  it('gives no handling to a plain named peer', () => {
    const decision = decide(input('TLP:AMBER', organisation({ id: 'org-named' }), channel()));
    expect(decision).toMatchObject({ allow: true, handling: null });
  });

  it('gives no handling to a named contact of a peer', () => {
    expect(decide(input('TLP:AMBER', organisation(), channel({ contact: contact() }))).handling).toBeNull();
  });

  it.each<TlpLabel>(['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER+STRICT'])(
    'gives no clients handling to a named constituent at %s',
    (label) => {
      const decision = decide(input(label, organisation({ id: 'org-named', relation: 'constituent' }), channel()));
      expect(decision.allow).toBe(true);
      expect(decision.handling).toBeNull();
    },
  );

  it('is the wording of the sharing rules', () => {
    expect(AMBER_CLIENTS_HANDLING).toBe('may share with its clients on a need-to-know basis');
  });

  it('is never given with a refusal', () => {
    const decision = decide(
      input('TLP:AMBER', organisation({ id: 'org-named', relation: 'constituent' }), channel({ key: null })),
    );
    expect(decision).toMatchObject({ allow: false, handling: null });
  });
});

describe('decide: properties', () => {
  const ORG_IDS = ['org-a', 'org-b', 'org-c', 'org-d'];
  const CONTACT_IDS = ['contact-a', 'contact-b', 'contact-c'];
  const COMMUNITIES = ['eu-cert', 'fr-lea', 'nl-isac'];
  const KINDS: ChannelKind[] = ['feed', 'email', 'webhook', 'public'];
  const DAY = 86_400_000;

  const statusArb = fc.constantFrom<'active' | 'suspended'>('active', 'active', 'active', 'suspended');
  const audienceArb = fc.record({
    communities: fc.subarray(COMMUNITIES),
    organisations: fc.subarray(ORG_IDS),
    contacts: fc.subarray(CONTACT_IDS),
  });
  const organisationArb: fc.Arbitrary<PolicyOrganisation> = fc.record({
    id: fc.constantFrom(...ORG_IDS),
    name: fc.constantFrom('CERT Ruritania', 'Europol EC3', 'ISAC Energy'),
    relation: fc.constantFrom<'constituent' | 'peer'>('constituent', 'peer'),
    communities: fc.subarray(COMMUNITIES),
    status: statusArb,
  });
  const keyArb: fc.Arbitrary<PolicyKey | null> = fc.option(
    fc.record({
      fingerprint: fc.constant(FINGERPRINT),
      expiresAt: fc.oneof(
        fc.constant(null),
        fc.constant(new Date(NOW.getTime())),
        fc.date({ min: new Date(NOW.getTime() - DAY), max: new Date(NOW.getTime() + DAY), noInvalidDate: true }),
      ),
      revoked: fc.boolean(),
      canEncrypt: fc.boolean(),
    }),
    { nil: null },
  );
  const contactArb: fc.Arbitrary<PolicyContact> = fc.record({
    id: fc.constantFrom(...CONTACT_IDS),
    name: fc.constantFrom('Alice Martin', 'Bob Durand'),
    status: statusArb,
  });
  const anyChannelArb: fc.Arbitrary<PolicyChannel> = fc.record({
    id: fc.constantFrom('ch-1', 'ch-2', 'ch-3'),
    kind: fc.constantFrom(...KINDS),
    redistributes: fc.boolean(),
    status: statusArb,
    contact: fc.option(contactArb, { nil: null }),
    key: keyArb,
  });
  const channelArb = anyChannelArb;

  const scenario = (channels: fc.Arbitrary<PolicyChannel>) =>
    fc.record({
      audience: audienceArb,
      kind: fc.constantFrom('alert', 'advisory'),
      organisations: fc.array(organisationArb, { minLength: 1, maxLength: 4 }),
      channels: fc.array(channels, { minLength: 1, maxLength: 4 }),
    });

  const allowedPairs = (
    label: TlpLabel,
    s: {
      audience: PolicyItem['audience'];
      kind: ItemKind;
      organisations: PolicyOrganisation[];
      channels: PolicyChannel[];
    },
  ): Set<string> => {
    const allowed = new Set<string>();
    s.organisations.forEach((org, o) =>
      s.channels.forEach((ch, c) => {
        if (
          decide({ item: { kind: s.kind, tlp: label, audience: s.audience }, organisation: org, channel: ch, now: NOW })
            .allow
        )
          allowed.add(`${o}/${c}`);
      }),
    );
    return allowed;
  };

  it('is monotone: a more restrictive label reaches a subset of what a less restrictive one reaches', () => {
    fc.assert(
      fc.property(scenario(channelArb), (s) => {
        const sets = TLP_LABELS.map((label) => allowedPairs(label, s));
        for (let lower = 0; lower < sets.length; lower++) {
          for (let higher = lower + 1; higher < sets.length; higher++) {
            for (const pair of sets[higher]) {
              if (!sets[lower].has(pair)) {
                throw new Error(`${TLP_LABELS[higher]} reaches ${pair} but ${TLP_LABELS[lower]} does not`);
              }
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  const oneDecision = fc.record({
    tlp: fc.constantFrom(...TLP_LABELS),
    audience: audienceArb,
    organisation: organisationArb,
    channel: anyChannelArb,
  });
  const decideOne = (d: {
    tlp: TlpLabel;
    audience: PolicyItem['audience'];
    organisation: PolicyOrganisation;
    channel: PolicyChannel;
  }): Decision =>
    decide({
      item: { kind: 'alert', tlp: d.tlp, audience: d.audience },
      organisation: d.organisation,
      channel: d.channel,
      now: NOW,
    });

  it('TLP:RED never reaches a channel that is not a named contact’s own', () => {
    fc.assert(
      fc.property(oneDecision, (d) => {
        const decision = decideOne({ ...d, tlp: 'TLP:RED' });
        if (decision.allow) {
          expect(d.channel.contact).not.toBeNull();
          expect(d.audience.contacts).toContain(d.channel.contact?.id);
          expect(d.channel.kind).not.toBe('public');
        }
        if (d.channel.contact === null) expect(decision.allow).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('nothing reaches a suspended organisation, contact or channel', () => {
    fc.assert(
      fc.property(oneDecision, (d) => {
        const suspended =
          d.organisation.status !== 'active' ||
          d.channel.status !== 'active' ||
          d.channel.contact?.status === 'suspended';
        if (suspended) expect(decideOne(d).allow).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('above TLP:CLEAR, only a recipient with a usable key is reached', () => {
    fc.assert(
      fc.property(oneDecision, (d) => {
        const decision = decideOne(d);
        if (decision.allow && d.tlp !== 'TLP:CLEAR') {
          const key = d.channel.key;
          expect(key).not.toBeNull();
          expect(key?.revoked).toBe(false);
          expect(key?.canEncrypt).toBe(true);
          if (key?.expiresAt) expect(key.expiresAt.getTime()).toBeGreaterThan(NOW.getTime());
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a public channel only ever carries TLP:CLEAR; AMBER and above reach only named organisations or contacts', () => {
    fc.assert(
      fc.property(oneDecision, (d) => {
        const decision = decideOne(d);
        if (!decision.allow) return;
        if (d.channel.kind === 'public') expect(d.tlp).toBe('TLP:CLEAR');
        if (tlpRank(d.tlp) >= tlpRank('TLP:AMBER')) {
          const namedOrg = d.audience.organisations.includes(d.organisation.id);
          const namedContact = d.channel.contact !== null && d.audience.contacts.includes(d.channel.contact.id);
          expect(namedOrg || namedContact).toBe(true);
        }
        if (d.tlp === 'TLP:AMBER+STRICT') expect(d.channel.redistributes).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('every decision carries a reason, and handling only with an allowed TLP:AMBER', () => {
    fc.assert(
      fc.property(oneDecision, (d) => {
        const decision = decideOne(d);
        expect(decision.reason.length).toBeGreaterThan(0);
        expect(decision.reason.endsWith('.')).toBe(true);
        if (decision.handling !== null) {
          expect(decision.allow).toBe(true);
          expect(d.tlp).toBe('TLP:AMBER');
          expect(decision.handling).toBe(AMBER_CLIENTS_HANDLING);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('TLP:RED on personal channels', () => {
  const named = contact();

  it('is delivered on a named person’s own e-mail and pull feed', () => {
    for (const kind of ['email', 'feed'] as const) {
      expect(decide(input('TLP:RED', organisation(), channel({ kind, contact: named }))).code).toBe(
        'tlp.red.named-contact',
      );
    }
  });

  it('is never delivered on a personal channel that redistributes, where TLP:AMBER+STRICT is refused too', () => {
    const relay = channel({ kind: 'email', contact: named, redistributes: true });
    expect(decide(input('TLP:AMBER+STRICT', organisation(), relay))).toMatchObject({
      allow: false,
      code: 'tlp.amber-strict.redistributes',
    });
    const red = decide(input('TLP:RED', organisation(), relay));
    expect(red).toMatchObject({ allow: false, code: 'tlp.red.not-personal-channel' });
    expect(red.reason).toContain('relays to third parties');
  });

  it('is never delivered to a webhook, even one registered for the named person', () => {
    const decision = decide(input('TLP:RED', organisation(), channel({ kind: 'webhook', contact: named })));
    expect(decision).toMatchObject({ allow: false, code: 'tlp.red.not-personal-channel' });
    expect(decision.reason).toContain('Alice Martin (CERT Ruritania)');
  });
});

describe('reasons name the recipient', () => {
  it('names the organisation when a public channel is refused', () => {
    const reason = decide(input('TLP:GREEN', organisation(), channel({ kind: 'public' }))).reason;
    expect(reason).toContain('CERT Ruritania');
    const personal = decide(input('TLP:GREEN', organisation(), channel({ kind: 'public', contact: contact() }))).reason;
    expect(personal).toContain('Alice Martin (CERT Ruritania)');
  });

  it('names the person and the organisation when a personal channel is not addressed', () => {
    const decision = decide(
      input('TLP:AMBER', organisation(), channel({ contact: contact({ id: 'contact-bob', name: 'Bob Durand' }) })),
    );
    expect(decision.code).toBe('channel.personal.not-named');
    expect(decision.reason).toContain('Bob Durand (CERT Ruritania)');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TLP_LABELS, TlpLabel, tlpRank } from './labels';
import type { Audience, ChannelKind, Relation } from '@tlp-broker/domain';
import {
  Decision,
  PolicyChannel,
  PolicyContact,
  PolicyItem,
  PolicyKey,
  PolicyOrganisation,
  PolicyTeam,
  Provenance,
  REASON_CODES,
  decide,
  prepare,
} from './policy';

/** Runs per invariant: each run decides every organisation × channel of a random scenario. */
const NUM_RUNS = 2_000;
const KNOWN_CODES: ReadonlySet<string> = new Set(REASON_CODES);

const NOW = new Date('2025-06-01T12:00:00.000Z');
const DAY = 86_400_000;
const ORG_IDS = ['org-a', 'org-b', 'org-c', 'org-d'];
const CONTACT_IDS = ['contact-a', 'contact-b', 'contact-c', 'contact-d'];
const COMMUNITIES = ['eu-lea', 'fr-csirt', 'gendarmerie', 'nl-isac'];
const CAVEATS = ['judicial-secret', 'need-to-know', 'law-enforcement-only'];

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** Mostly active, so that something gets through and the invariants are not vacuous. */
const status = fc.oneof(
  { weight: 9, arbitrary: fc.constant<'active'>('active') },
  { weight: 1, arbitrary: fc.constant<'suspended'>('suspended') },
);

/** Sometimes empty: TLP:GREEN with no audience is a rule of its own (the default community). */
const audienceArb: fc.Arbitrary<Audience> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ communities: [], organisations: [], contacts: [] }) },
  {
    weight: 5,
    arbitrary: fc.record({
      communities: fc.subarray(COMMUNITIES),
      organisations: fc.subarray(ORG_IDS),
      contacts: fc.subarray(CONTACT_IDS),
    }),
  },
);

/** Key strengths, each with whether the strength rule (RSA ≥ 3072 bits, no DSA or ElGamal) calls it weak. */
const STRENGTHS: readonly { readonly algorithm?: string; readonly bits?: number | null; readonly weak: boolean }[] = [
  { algorithm: 'rsaEncryptSign', bits: 4096, weak: false },
  { algorithm: 'rsaEncryptSign', bits: 3072, weak: false },
  { algorithm: 'eddsaLegacy ed25519Legacy', bits: null, weak: false },
  { algorithm: 'ecdh curve25519Legacy', bits: null, weak: false },
  { weak: false },
  { algorithm: 'rsaEncryptSign', bits: 2048, weak: true },
  { algorithm: 'rsaEncrypt', bits: 3071, weak: true },
  { algorithm: 'rsaEncryptSign', bits: null, weak: true },
  { algorithm: 'dsa', bits: 3072, weak: true },
  { algorithm: 'elgamal', bits: 4096, weak: true },
];

/** Keys generated here and known to be weak by construction. */
const WEAK_KEYS = new WeakSet<PolicyKey>();

const anyKeyArb: fc.Arbitrary<PolicyKey> = fc
  .record({
    expiresAt: fc.oneof(
      fc.constant(null),
      fc.constantFrom(new Date(NOW.getTime() - 1), new Date(NOW.getTime()), new Date(NOW.getTime() + 1)),
      fc.date({
        min: new Date(NOW.getTime() - 30 * DAY),
        max: new Date(NOW.getTime() + 365 * DAY),
        noInvalidDate: true,
      }),
    ),
    revoked: fc.boolean(),
    canEncrypt: fc.boolean(),
    strength: fc.constantFrom(...STRENGTHS),
  })
  .map(({ expiresAt, revoked, canEncrypt, strength }) => {
    const key: PolicyKey = {
      fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567',
      expiresAt,
      revoked,
      canEncrypt,
      ...(strength.algorithm === undefined ? {} : { algorithm: strength.algorithm, bits: strength.bits ?? null }),
    };
    if (strength.weak) WEAK_KEYS.add(key);
    return key;
  });

/** A key with nothing wrong with it, so that enough decisions get as far as being allowed. */
const goodKeyArb: fc.Arbitrary<PolicyKey> = fc
  .record({
    expiresAt: fc.constantFrom(null, new Date(NOW.getTime() + 1), new Date(NOW.getTime() + 365 * DAY)),
    strength: fc.constantFrom(
      { algorithm: 'rsaEncryptSign', bits: 4096 },
      { algorithm: 'eddsaLegacy ed25519Legacy', bits: null },
    ),
  })
  .map(({ expiresAt, strength }) => ({
    fingerprint: '89ABCDEF0123456789ABCDEF0123456789ABCDEF',
    expiresAt,
    revoked: false,
    canEncrypt: true,
    ...strength,
  }));

const keyArb: fc.Arbitrary<PolicyKey | null> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: goodKeyArb },
  { weight: 3, arbitrary: anyKeyArb },
);

/** Missing, revoked, expired at or before now, unable to encrypt, or weak: nothing above TLP:CLEAR may use it. */
function keyIsValid(key: PolicyKey | null): boolean {
  if (key === null || key.revoked || !key.canEncrypt || WEAK_KEYS.has(key)) return false;
  return key.expiresAt === null || key.expiresAt.getTime() > NOW.getTime();
}

const contactArb: fc.Arbitrary<PolicyContact> = fc.record({
  id: fc.constantFrom(...CONTACT_IDS),
  name: fc.constantFrom('Camille Roux', 'Jan de Vries'),
  status,
});

const organisationArb: fc.Arbitrary<PolicyOrganisation> = fc.record({
  id: fc.constantFrom(...ORG_IDS),
  name: fc.constantFrom('Brigade numérique', 'Europol EC3', 'CERT Ruritania'),
  relation: fc.constantFrom<Relation>('constituent', 'peer'),
  communities: fc.subarray(COMMUNITIES),
  status,
  accreditations: fc.subarray(CAVEATS),
});

const channelArb: fc.Arbitrary<PolicyChannel> = fc.record({
  id: fc.constantFrom('ch-1', 'ch-2'),
  kind: fc.constantFrom<ChannelKind>('feed', 'email', 'webhook', 'public'),
  redistributes: fc.constantFrom(false, false, true),
  status,
  contact: fc.option(contactArb, { nil: null, freq: 2 }),
  key: keyArb,
});

const provenanceArb: fc.Arbitrary<Provenance> = fc.record({
  originator: fc.constantFrom('Europol EC3', 'CERT-FR', 'Interpol'),
  label: fc.constantFrom(...TLP_LABELS),
  consent: fc.option(fc.record({ audience: audienceArb, reference: fc.constant('EC3 letter 2025/117') }), {
    nil: null,
  }),
});

interface ItemOptions {
  readonly label?: fc.Arbitrary<TlpLabel>;
  readonly provenance?: fc.Arbitrary<Provenance | null>;
}

const itemArb = (options: ItemOptions = {}): fc.Arbitrary<PolicyItem> =>
  fc.record({
    kind: fc.constantFrom('alert', 'advisory', 'intel-report'),
    tlp: options.label ?? fc.constantFrom(...TLP_LABELS),
    audience: audienceArb,
    caveats: fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.subarray(CAVEATS, { minLength: 1 }) },
    ),
    provenance:
      options.provenance ??
      fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: provenanceArb }),
  });

const teamArb: fc.Arbitrary<PolicyTeam> = fc.record({ communities: fc.subarray(COMMUNITIES) });

interface Scenario {
  readonly item: PolicyItem;
  readonly team: PolicyTeam;
  readonly organisations: readonly PolicyOrganisation[];
  readonly channels: readonly PolicyChannel[];
}

const scenarioArb = (options: ItemOptions = {}): fc.Arbitrary<Scenario> =>
  fc.record({
    item: itemArb(options),
    team: teamArb,
    organisations: fc.array(organisationArb, { minLength: 1, maxLength: 4 }),
    channels: fc.array(channelArb, { minLength: 1, maxLength: 4 }),
  });

/** Every (organisation, channel) pair of a scenario with its decision. */
function decisions(
  s: Scenario,
  item: PolicyItem = s.item,
): { organisation: PolicyOrganisation; channel: PolicyChannel; key: string; decision: Decision }[] {
  return s.organisations.flatMap((organisation, o) =>
    s.channels.map((channel, c) => ({
      organisation,
      channel,
      key: `organisation #${o} × channel #${c}`,
      decision: decide({ item, organisation, channel, now: NOW, team: s.team }),
    })),
  );
}

function allowedPairs(s: Scenario, item: PolicyItem): Map<string, Decision> {
  return new Map(
    decisions(s, item)
      .filter((d) => d.decision.allow)
      .map((d) => [d.key, d.decision]),
  );
}

/** A failed check throws with what went wrong; cheaper than `expect` in the inner loops of 2 000 runs. */
function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

/**
 * An invariant about allowed decisions says nothing if none are allowed: each such test counts the
 * allowed decisions it saw and requires a fair number, so a generator that drifts fails loudly.
 */
const MIN_ALLOWED_SEEN = 100;

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

describe(`policy properties (fast-check, ${NUM_RUNS} runs each)`, () => {
  it(`(1a) monotone in the label: a more restrictive label, same audience, never adds a recipient (numRuns ${NUM_RUNS})`, () => {
    let allowedSeen = 0;
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const reach = TLP_LABELS.map((label) => allowedPairs(s, { ...s.item, tlp: label }));
        for (let lower = 0; lower < reach.length; lower++) {
          for (let higher = lower + 1; higher < reach.length; higher++) {
            for (const pair of reach[higher].keys()) {
              allowedSeen++;
              check(
                reach[lower].has(pair),
                () => `${TLP_LABELS[higher]} reaches ${pair} but ${TLP_LABELS[lower]} does not`,
              );
            }
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
    expect(allowedSeen).toBeGreaterThan(MIN_ALLOWED_SEEN);
  });

  /*
   * One documented exception (policy.ts, `decide`): a TLP:GREEN item with no audience at all goes
   * to every partner (the default community). Narrowing a GREEN audience down to nothing therefore
   * widens it; that case is checked separately below, and reported.
   */
  const narrowedArb = scenarioArb().chain((s) =>
    fc
      .record({
        communities: fc.subarray([...s.item.audience.communities]),
        organisations: fc.subarray([...s.item.audience.organisations]),
        contacts: fc.subarray([...s.item.audience.contacts]),
      })
      .map((narrowed) => ({ s, narrowed })),
  );

  it(`(1b) monotone in the audience: removing organisations, contacts or communities never adds a recipient (numRuns ${NUM_RUNS})`, () => {
    let allowedSeen = 0;
    fc.assert(
      fc.property(narrowedArb, ({ s, narrowed }) => {
        const wide = allowedPairs(s, s.item);
        const narrow = allowedPairs(s, { ...s.item, audience: narrowed });
        for (const [pair, decision] of narrow) {
          allowedSeen++;
          check(
            wide.has(pair),
            () => `narrowing the audience to ${JSON.stringify(narrowed)} added ${pair} (${decision.code})`,
          );
        }
      }),
      { numRuns: NUM_RUNS },
    );
    expect(allowedSeen).toBeGreaterThan(MIN_ALLOWED_SEEN);
  });

  it('(1b) removing the last community from a TLP:GREEN audience reaches nobody, never everybody', () => {
    const organisation: PolicyOrganisation = {
      id: 'org-a',
      name: 'CERT Ruritania',
      relation: 'peer',
      communities: [],
      status: 'active',
    };
    const key: PolicyKey = {
      fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567',
      expiresAt: null,
      revoked: false,
      canEncrypt: true,
    };
    const channel: PolicyChannel = {
      id: 'ch',
      kind: 'feed',
      redistributes: false,
      status: 'active',
      contact: null,
      key,
    };
    const item = (communities: string[]): PolicyItem => ({
      kind: 'alert',
      tlp: 'TLP:GREEN',
      audience: { communities, organisations: [], contacts: [] },
    });
    expect(decide({ item: item(['eu-lea']), organisation, channel, now: NOW })).toMatchObject({
      allow: false,
      code: 'tlp.green.not-in-community',
    });
    expect(decide({ item: item([]), organisation, channel, now: NOW })).toMatchObject({
      allow: false,
      code: 'tlp.green.not-in-community',
    });
  });

  it(`(2) TLP:RED goes only to a personal, non-redistributing e-mail or feed channel of a contact named in the audience (numRuns ${NUM_RUNS})`, () => {
    let allowedSeen = 0;
    fc.assert(
      fc.property(scenarioArb({ label: fc.constant('TLP:RED') }), (s) => {
        for (const { channel, decision } of decisions(s)) {
          if (!decision.allow) continue;
          allowedSeen++;
          expect(channel.contact).not.toBeNull();
          expect(s.item.audience.contacts).toContain(channel.contact!.id);
          expect(['email', 'feed']).toContain(channel.kind);
          expect(channel.redistributes).toBe(false);
        }
      }),
      { numRuns: NUM_RUNS },
    );
    expect(allowedSeen).toBeGreaterThan(MIN_ALLOWED_SEEN);
  });

  it(`(3) above TLP:CLEAR: never a public channel, never without a valid key (missing, revoked, expired at or before now, cannot encrypt, weak) (numRuns ${NUM_RUNS})`, () => {
    let allowedSeen = 0;
    fc.assert(
      fc.property(
        scenarioArb({ label: fc.constantFrom('TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED') }),
        (s) => {
          for (const { channel, decision } of decisions(s)) {
            if (!decision.allow) continue;
            allowedSeen++;
            expect(channel.kind).not.toBe('public');
            expect(keyIsValid(channel.key), `key ${JSON.stringify(channel.key)}`).toBe(true);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
    expect(allowedSeen).toBeGreaterThan(MIN_ALLOWED_SEEN);
  });

  it(`(4) TLP:AMBER+STRICT is never allowed on a redistributing channel (numRuns ${NUM_RUNS})`, () => {
    let allowedSeen = 0;
    fc.assert(
      fc.property(scenarioArb({ label: fc.constant('TLP:AMBER+STRICT') }), (s) => {
        for (const { channel, decision } of decisions(s)) {
          if (!decision.allow) continue;
          allowedSeen++;
          expect(channel.redistributes).toBe(false);
        }
      }),
      { numRuns: NUM_RUNS },
    );
    expect(allowedSeen).toBeGreaterThan(MIN_ALLOWED_SEEN);
  });

  /** How far the originator's label lets the broker itself share, as DESIGN.md states it. */
  const originatorLets = (
    s: Scenario,
    provenance: Provenance,
    organisation: PolicyOrganisation,
    channel: PolicyChannel,
  ): boolean => {
    const { audience } = s.item;
    switch (provenance.label) {
      case 'TLP:CLEAR':
        return true;
      case 'TLP:GREEN':
        return organisation.communities.some((community) => s.team.communities.includes(community));
      case 'TLP:AMBER':
        return (
          organisation.relation === 'constituent' &&
          (audience.organisations.includes(organisation.id) ||
            (channel.contact !== null && audience.contacts.includes(channel.contact.id)))
        );
      default:
        return false;
    }
  };
  const consentNames = (provenance: Provenance, organisation: PolicyOrganisation, channel: PolicyChannel): boolean => {
    const consent = provenance.consent;
    if (consent === null) return false;
    return (
      consent.audience.organisations.includes(organisation.id) ||
      (channel.contact !== null && consent.audience.contacts.includes(channel.contact.id)) ||
      organisation.communities.some((community) => consent.audience.communities.includes(community))
    );
  };

  it(`(5a) a derived item without consent reaches no further than the originator's label lets the broker share (numRuns ${NUM_RUNS})`, () => {
    let allowedSeen = 0;
    const withoutConsent = provenanceArb.map((provenance) => ({ ...provenance, consent: null }));
    fc.assert(
      fc.property(scenarioArb({ provenance: withoutConsent }), (s) => {
        const provenance = s.item.provenance!;
        for (const { organisation, channel, decision } of decisions(s)) {
          if (!decision.allow) continue;
          allowedSeen++;
          expect(tlpRank(provenance.label)).toBeLessThan(tlpRank('TLP:AMBER+STRICT'));
          expect(
            originatorLets(s, provenance, organisation, channel),
            `${provenance.label} material reached ${organisation.id}`,
          ).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
    expect(allowedSeen).toBeGreaterThan(MIN_ALLOWED_SEEN);
  });

  it(`(5b) with the originator's consent, a derived item additionally reaches only those the consent names (numRuns ${NUM_RUNS})`, () => {
    let allowedSeen = 0;
    const withConsent = fc.record({
      originator: fc.constant('Interpol'),
      label: fc.constantFrom<TlpLabel>('TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'),
      consent: fc.record({ audience: audienceArb, reference: fc.constant('Interpol note 7/2025') }),
    });
    fc.assert(
      fc.property(scenarioArb({ provenance: withConsent }), (s) => {
        const provenance = s.item.provenance!;
        for (const { organisation, channel, decision } of decisions(s)) {
          if (!decision.allow) continue;
          allowedSeen++;
          expect(
            originatorLets(s, provenance, organisation, channel) || consentNames(provenance, organisation, channel),
          ).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
    expect(allowedSeen).toBeGreaterThan(MIN_ALLOWED_SEEN);
  });

  it(`(6) every decision has a known reason code and a reason; a refusal carries no handling (numRuns ${NUM_RUNS})`, () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        for (const { key, decision } of decisions(s)) {
          check(KNOWN_CODES.has(decision.code), () => `${key}: unknown code ${decision.code}`);
          check(decision.reason.trim() !== '', () => `${key}: empty reason (${decision.code})`);
          check(
            decision.allow || decision.handling === null,
            () => `${key}: refusal ${decision.code} carries handling "${decision.handling}"`,
          );
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it(`(7) a prepared item decides exactly as decide() does, for every recipient it is asked about (numRuns ${NUM_RUNS})`, () => {
    fc.assert(
      fc.property(scenarioArb(), fc.boolean(), (s, withTeam) => {
        // One prepared item reused for all recipients, as the routing worker does.
        const prepared = withTeam ? prepare(s.item, s.team) : prepare(s.item);
        for (const organisation of s.organisations) {
          for (const channel of s.channels) {
            const expected = decide({
              item: s.item,
              organisation,
              channel,
              now: NOW,
              ...(withTeam ? { team: s.team } : {}),
            });
            expect(prepared.decide(organisation, channel, NOW)).toEqual(expected);
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it(`a suspended organisation, contact or channel receives nothing (numRuns ${NUM_RUNS})`, () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        for (const { key, organisation, channel, decision } of decisions(s)) {
          const suspended =
            organisation.status === 'suspended' ||
            channel.status === 'suspended' ||
            channel.contact?.status === 'suspended';
          check(!suspended || !decision.allow, () => `${key}: suspended but allowed (${decision.code})`);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it(`a caveat the organisation is not accredited for always denies (numRuns ${NUM_RUNS})`, () => {
    fc.assert(
      fc.property(scenarioArb(), fc.constantFrom(...CAVEATS), (s, caveat) => {
        const item = { ...s.item, caveats: [...(s.item.caveats ?? []), caveat] };
        for (const organisation of s.organisations) {
          if ((organisation.accreditations ?? []).includes(caveat)) continue;
          for (const channel of s.channels) {
            expect(decide({ item, organisation, channel, now: NOW, team: s.team }).allow).toBe(false);
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

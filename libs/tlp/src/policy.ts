import type { Audience, ChannelKind, ItemKind, PartnerStatus, Relation } from '@tlp-broker/domain';
import { PapLabel, TlpLabel } from './labels';
import { keyWeakness } from './key-strength';

/**
 * Where an item came from, when it was derived from a partner's material: the originator and the
 * label the material came with, and the originator's written consent to a wider audience if any.
 */
export interface Provenance {
  readonly originator: string;
  readonly label: TlpLabel;
  readonly consent: { readonly audience: Audience; readonly reference: string } | null;
}

/** What the engine needs to know about an item version. */
export interface PolicyItem {
  readonly kind: ItemKind;
  readonly tlp: TlpLabel;
  readonly pap?: PapLabel | null;
  readonly audience: Audience;
  /** Handling caveats (`judicial-secret`, `need-to-know`…): only accredited organisations receive the item. */
  readonly caveats?: readonly string[];
  readonly provenance?: Provenance | null;
  /**
   * Urgent (an alert, or critical or high severity, as the broker is configured): outside a
   * recipient's business hours it also goes to the recipient's on-call channels.
   */
  readonly urgent?: boolean;
}

/**
 * Whether an organisation's on-call channels are wanted for an urgent item at decision time: it is
 * outside its business hours, or an escalation asks for them. `reason` says which, for a person.
 */
export interface DutyContext {
  readonly needed: boolean;
  /** "EC3 is outside its business hours (Saturday 23:40 in Europe/Paris)" */
  readonly reason: string;
}

/** The broker's own team, as the originator's label sees it. */
export interface PolicyTeam {
  /** The communities the team belongs to: how far it may pass on TLP:GREEN it received. */
  readonly communities: readonly string[];
}

export interface PolicyOrganisation {
  readonly id: string;
  readonly name: string;
  readonly relation: Relation;
  readonly communities: readonly string[];
  readonly status: PartnerStatus;
  /** Handling caveats the organisation is accredited for. */
  readonly accreditations?: readonly string[];
  /** For urgent items: whether its on-call channels are wanted now (absent: they are not). */
  readonly duty?: DutyContext | null;
}

export interface PolicyContact {
  readonly id: string;
  readonly name: string;
  readonly status: PartnerStatus;
}

/** The recipient's OpenPGP key as seen at decision time. */
export interface PolicyKey {
  readonly fingerprint: string;
  readonly expiresAt: Date | null;
  readonly revoked: boolean;
  readonly canEncrypt: boolean;
  /** e.g. "rsa 4096", "eddsaLegacy ed25519Legacy"; with `bits`, judged against the strength rule. */
  readonly algorithm?: string;
  readonly bits?: number | null;
}

export interface PolicyChannel {
  readonly id: string;
  readonly kind: ChannelKind;
  /** Relays to third parties (mailing list, ISAC re-distribution feed). */
  readonly redistributes: boolean;
  readonly status: PartnerStatus;
  /** Set for a contact's own channel (personal e-mail or personal pull token). */
  readonly contact: PolicyContact | null;
  readonly key: PolicyKey | null;
  /**
   * An on-call channel: a duty contact's own channel (or, for a `pager`, the organisation's paging
   * hook), used only for urgent items when the organisation's duty is wanted. A pager is always one.
   */
  readonly onCall?: boolean;
}

export interface DecisionInput {
  readonly item: PolicyItem;
  readonly organisation: PolicyOrganisation;
  readonly channel: PolicyChannel;
  /** The decision time; the engine never reads a clock. */
  readonly now: Date;
  readonly team?: PolicyTeam;
}

export const REASON_CODES = [
  'partner.suspended',
  'contact.suspended',
  'channel.suspended',
  'channel.public.above-clear',
  'channel.personal.not-named',
  'tlp.clear.allowed',
  'tlp.green.in-community',
  'tlp.green.named',
  'tlp.green.not-in-community',
  'tlp.amber.named',
  'tlp.amber.not-named',
  'tlp.amber-strict.named',
  'tlp.amber-strict.not-named',
  'tlp.amber-strict.redistributes',
  'tlp.red.named-contact',
  'tlp.red.not-personal-channel',
  'caveat.not-accredited',
  'provenance.green.outside-team-communities',
  'provenance.amber.not-own-constituent',
  'provenance.no-onward-sharing',
  'key.missing',
  'key.revoked',
  'key.expired',
  'key.cannot-encrypt',
  'key.weak',
  'oncall.not-urgent',
  'oncall.not-needed',
  'pager.notice',
  'pager.nothing-delivered',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * Refusals about an on-call channel's duty (not urgent, not needed now, nothing to page about),
 * not about who may hold the item: an update refused for one of these recalls nothing.
 */
const DUTY_REFUSALS: ReadonlySet<ReasonCode> = new Set([
  'oncall.not-urgent',
  'oncall.not-needed',
  'pager.nothing-delivered',
]);
export function isDutyRefusal(code: ReasonCode): boolean {
  return DUTY_REFUSALS.has(code);
}

export interface Decision {
  readonly allow: boolean;
  readonly code: ReasonCode;
  /** A sentence an analyst can read. */
  readonly reason: string;
  /** Handling instruction delivered with the item, when the label calls for one. */
  readonly handling: string | null;
}

export const AMBER_CLIENTS_HANDLING = 'may share with its clients on a need-to-know basis';

/** TLP:RED leaves only to a person's own mailbox or own pull credential: never a webhook. */
const RED_PERSONAL_KINDS: readonly ChannelKind[] = ['email', 'feed'];
const NO_TEAM: PolicyTeam = { communities: [] };

/**
 * An item prepared for deciding about many recipients: the audience, caveats and provenance are
 * turned into sets once, so each decision costs a few set look-ups whatever the audience size.
 */
export interface PreparedItem {
  readonly item: PolicyItem;
  decide(organisation: PolicyOrganisation, channel: PolicyChannel, now: Date): Decision;
}

/**
 * Decides whether one item version may go to one recipient over one channel. Checks, in order:
 * suspension (organisation, contact, channel); the TLP label; handling caveats; provenance; the
 * recipient's key (above TLP:CLEAR). The first that refuses decides; otherwise the label rule
 * that allowed it does.
 *
 * The label rules, from least to most restrictive, each reach a subset of the previous one for
 * the same audience (monotone):
 *  - a personal channel receives an item only when its contact is named, at any label;
 *  - TLP:CLEAR: every active recipient;
 *  - TLP:GREEN: organisations in a target community or named in the audience; never a public
 *    channel. An empty audience reaches nobody (intake refuses it), so that removing the last
 *    community can never widen an item to every partner;
 *  - TLP:AMBER: organisations named in the audience;
 *  - TLP:AMBER+STRICT: named organisations, never over a redistributing channel;
 *  - TLP:RED: named contacts, on their own e-mail or pull feed only, never a redistributing one.
 */
export function decide(input: DecisionInput): Decision {
  return prepare(input.item, input.team ?? NO_TEAM).decide(input.organisation, input.channel, input.now);
}

export function prepare(item: PolicyItem, team: PolicyTeam = NO_TEAM): PreparedItem {
  const facts: ItemFacts = {
    item,
    label: item.tlp,
    describe: `${item.tlp} ${item.kind}`,
    organisations: new Set(item.audience.organisations),
    contacts: new Set(item.audience.contacts),
    communities: item.audience.communities,
    // The refusal sentence for TLP:GREEN names the target communities: built once per item.
    notInCommunities: `${quoteList(item.audience.communities)}, ${item.audience.communities.length === 1 ? 'the only community' : 'the communities'} this ${item.tlp} ${item.kind} is shared with.`,
    caveats: item.caveats ?? [],
    provenance: item.provenance ?? null,
    teamCommunities: new Set(team.communities),
    consent: item.provenance?.consent
      ? {
          organisations: new Set(item.provenance.consent.audience.organisations),
          contacts: new Set(item.provenance.consent.audience.contacts),
          communities: new Set(item.provenance.consent.audience.communities),
          reference: item.provenance.consent.reference,
        }
      : null,
  };
  return { item, decide: (organisation, channel, now) => decideOne(facts, organisation, channel, now) };
}

interface ItemFacts {
  readonly item: PolicyItem;
  readonly label: TlpLabel;
  /** "TLP:AMBER advisory" */
  readonly describe: string;
  readonly organisations: ReadonlySet<string>;
  readonly contacts: ReadonlySet<string>;
  readonly communities: readonly string[];
  readonly notInCommunities: string;
  readonly caveats: readonly string[];
  readonly provenance: Provenance | null;
  readonly teamCommunities: ReadonlySet<string>;
  readonly consent: {
    organisations: ReadonlySet<string>;
    contacts: ReadonlySet<string>;
    communities: ReadonlySet<string>;
    reference: string;
  } | null;
}

function decideOne(facts: ItemFacts, organisation: PolicyOrganisation, channel: PolicyChannel, now: Date): Decision {
  const contact = channel.contact;
  const who = contact ? `${contact.name} (${organisation.name})` : organisation.name;

  if (organisation.status !== 'active') {
    return deny('partner.suspended', `${organisation.name} is suspended and receives nothing.`);
  }
  if (contact && contact.status !== 'active') {
    return deny('contact.suspended', `${who} is suspended and receives nothing.`);
  }
  if (channel.status !== 'active') {
    return deny('channel.suspended', `${capitalise(describeChannel(channel, who))} is suspended.`);
  }

  const onCall = isOnCall(channel);
  if (onCall) {
    const dutyProblem = checkDuty(facts, organisation, channel, who);
    if (dutyProblem) return dutyProblem;
    if (channel.kind === 'pager') return pagerNotice(facts, organisation, who);
  }
  // A duty contact's channel stands for its organisation below TLP:RED; TLP:RED still needs the person named.
  const labelDecision =
    contact && !(onCall && facts.label !== 'TLP:RED')
      ? decidePersonal(facts, organisation, channel, contact, who, onCall)
      : decideOrganisation(facts, organisation, channel, who);
  if (!labelDecision.allow) return labelDecision;

  const caveatProblem = checkCaveats(facts, organisation, who);
  if (caveatProblem) return caveatProblem;

  const provenance = checkProvenance(facts, organisation, contact, who);
  if (provenance.decision) return provenance.decision;

  if (facts.label !== 'TLP:CLEAR') {
    const keyProblem = checkKey(channel.key, now, who, facts.label);
    if (keyProblem) return keyProblem;
  }
  const notes = [provenance.consentNote, onCall ? `On call: ${organisation.duty!.reason}.` : null].filter(Boolean);
  return notes.length > 0 ? { ...labelDecision, reason: [labelDecision.reason, ...notes].join(' ') } : labelDecision;
}

function isOnCall(channel: PolicyChannel): boolean {
  return channel.onCall === true || channel.kind === 'pager';
}

/** An on-call channel carries urgent items only, and only while its organisation's duty is wanted. */
function checkDuty(facts: ItemFacts, organisation: PolicyOrganisation, channel: PolicyChannel, who: string) {
  const what = describeChannel(channel, who, 'on-call ');
  if (facts.item.urgent !== true)
    return deny(
      'oncall.not-urgent',
      `${capitalise(what)} carries only urgent items (alerts, or of critical or high severity); this ${facts.describe} is not one.`,
    );
  const duty = organisation.duty;
  if (!duty?.needed)
    return deny(
      'oncall.not-needed',
      `${duty ? capitalise(duty.reason) : `${organisation.name} is in its business hours`}, so ${what} is not used for this ${facts.describe}.`,
    );
  return null;
}

/**
 * A paging hook carries no content: the label, the type and a reference, and that the item awaits
 * acknowledgement on a secure channel. It is told only when its organisation receives the item on
 * another channel (see decideAll).
 */
function pagerNotice(facts: ItemFacts, organisation: PolicyOrganisation, who: string): Decision {
  return allow(
    'pager.notice',
    `The paging hook of ${who} is told, without content, that this urgent ${facts.describe} awaits acknowledgement on its secure channel. On call: ${organisation.duty!.reason}.`,
  );
}

/** What an item reaches through one channel: the organisation and the channel. */
export interface Recipient {
  readonly organisation: PolicyOrganisation;
  readonly channel: PolicyChannel;
}

/**
 * Decides every recipient of one item version, in order. A paging hook is paged only when its
 * organisation receives the item on another channel: a page announces something to acknowledge.
 */
export function decideAll(prepared: PreparedItem, recipients: readonly Recipient[], now: Date): Decision[] {
  const decisions = recipients.map(({ organisation, channel }) => prepared.decide(organisation, channel, now));
  const reached = new Set(
    recipients
      .filter(({ channel }, index) => channel.kind !== 'pager' && decisions[index]!.allow)
      .map(({ organisation }) => organisation.id),
  );
  return decisions.map((decision, index) => {
    const { organisation } = recipients[index]!;
    if (decision.code !== 'pager.notice' || reached.has(organisation.id)) return decision;
    return deny(
      'pager.nothing-delivered',
      `${organisation.name} receives this ${prepared.item.tlp} ${prepared.item.kind} on no channel, so its paging hook has nothing to announce.`,
    );
  });
}

function decidePersonal(
  facts: ItemFacts,
  organisation: PolicyOrganisation,
  channel: PolicyChannel,
  contact: PolicyContact,
  who: string,
  onCall = false,
): Decision {
  const { label, describe } = facts;
  if (channel.kind === 'public') {
    return deny(
      'channel.public.above-clear',
      `The public channel registered for ${who} cannot be a personal channel; nothing is sent on it.`,
    );
  }
  if (!facts.contacts.has(contact.id)) {
    return deny(
      'channel.personal.not-named',
      onCall
        ? `${who} is not named in the audience of this ${describe}: ${label} reaches a duty contact's on-call channel only when that person is named.`
        : `${who} is not named in the audience of this ${describe}, and a personal ${channel.kind} channel only carries items addressed to its owner.`,
    );
  }
  if (label === 'TLP:RED') {
    if (channel.redistributes || !RED_PERSONAL_KINDS.includes(channel.kind)) {
      return deny(
        'tlp.red.not-personal-channel',
        `${label} goes only to a named person's own e-mail or pull feed; ${describeChannel(channel, who)} is not one.`,
      );
    }
    return allow(
      'tlp.red.named-contact',
      `${who} is named in the audience of this ${describe} and this is their own ${channel.kind} channel.`,
    );
  }
  if (label === 'TLP:AMBER+STRICT') {
    if (channel.redistributes) return denyRedistributes(label, channel, who);
    return allow(
      'tlp.amber-strict.named',
      `${who} is named in the audience of this ${describe}; share only within ${organisation.name}, need to know.`,
    );
  }
  if (label === 'TLP:AMBER') {
    return allow(
      'tlp.amber.named',
      `${who} is named in the audience of this ${describe}.`,
      amberHandling(organisation, channel),
    );
  }
  if (label === 'TLP:GREEN') {
    return allow('tlp.green.named', `${who} is named in the audience of this ${describe}.`);
  }
  return allow('tlp.clear.allowed', `${label} may go to anyone; ${who} is named in the audience.`);
}

function decideOrganisation(
  facts: ItemFacts,
  organisation: PolicyOrganisation,
  channel: PolicyChannel,
  who: string,
): Decision {
  const { label, describe } = facts;
  const named = facts.organisations.has(organisation.id);

  if (label === 'TLP:CLEAR') {
    return allow('tlp.clear.allowed', `${label} may go to any active partner; ${who} is active.`);
  }
  if (channel.kind === 'public') {
    return deny(
      'channel.public.above-clear',
      `Only TLP:CLEAR may go to a public channel, such as this one of ${who}; this ${facts.item.kind} is ${label}.`,
    );
  }
  if (label === 'TLP:RED') {
    return deny(
      'tlp.red.not-personal-channel',
      `${label} goes only to named people on their own channel; ${describeChannel(channel, organisation.name)} is shared.`,
    );
  }
  if (label === 'TLP:GREEN') return decideGreen(facts, organisation, named, who);
  if (label === 'TLP:AMBER') {
    if (!named)
      return deny('tlp.amber.not-named', `${who} is not named in the audience of this ${describe} (need to know).`);
    return allow(
      'tlp.amber.named',
      `${who} is named in the audience of this ${describe}.`,
      amberHandling(organisation, channel),
    );
  }
  // TLP:AMBER+STRICT
  if (!named)
    return deny(
      'tlp.amber-strict.not-named',
      `${who} is not named in the audience of this ${describe} (need to know).`,
    );
  if (channel.redistributes) return denyRedistributes(label, channel, who);
  return allow(
    'tlp.amber-strict.named',
    `${who} is named in the audience of this ${describe}; share only within ${organisation.name}, need to know.`,
  );
}

/** TLP:GREEN to an organisation's channel: a member of one of the item's communities, or named in its audience. */
function decideGreen(facts: ItemFacts, organisation: PolicyOrganisation, named: boolean, who: string): Decision {
  const { describe } = facts;
  const shared = facts.communities.find((community) => organisation.communities.includes(community));
  if (shared !== undefined) {
    return allow(
      'tlp.green.in-community',
      `${who} is a member of "${shared}", a community this ${describe} is shared with.`,
    );
  }
  if (named) return allow('tlp.green.named', `${who} is named in the audience of this ${describe}.`);
  return deny(
    'tlp.green.not-in-community',
    facts.communities.length === 0
      ? `${who} is not named in the audience of this ${describe}.`
      : `${who} is not a member of ${facts.notInCommunities}`,
  );
}

function checkCaveats(facts: ItemFacts, organisation: PolicyOrganisation, who: string): Decision | null {
  if (facts.caveats.length === 0) return null;
  const accreditations = organisation.accreditations ?? [];
  const missing = facts.caveats.filter((caveat) => !accreditations.includes(caveat));
  if (missing.length === 0) return null;
  return deny(
    'caveat.not-accredited',
    `This ${facts.describe} carries the handling caveat${missing.length > 1 ? 's' : ''} ${quoteList(missing, 'and')}, and ${organisation.name} is not accredited for ${missing.length > 1 ? 'them' : 'it'}${who === organisation.name ? '' : ` (asked for ${who})`}.`,
  );
}

/**
 * Material derived from a partner's keeps the originator's rule: the broker passes it on only as
 * far as the originator's label lets the broker itself share, unless the originator consented in
 * writing to the recipient.
 */
function checkProvenance(
  facts: ItemFacts,
  organisation: PolicyOrganisation,
  contact: PolicyContact | null,
  who: string,
): { decision: Decision | null; consentNote: string | null } {
  const provenance = facts.provenance;
  if (!provenance || provenance.label === 'TLP:CLEAR') return { decision: null, consentNote: null };
  const origin = `${provenance.originator}'s ${provenance.label}`;
  let refusal: Decision | null = null;
  if (provenance.label === 'TLP:GREEN') {
    if (!organisation.communities.some((community) => facts.teamCommunities.has(community))) {
      refusal = deny(
        'provenance.green.outside-team-communities',
        facts.teamCommunities.size === 0
          ? `This ${facts.describe} is derived from ${origin} material, which the broker may share only within its own communities, and none are configured (TEAM_COMMUNITIES).`
          : `This ${facts.describe} is derived from ${origin} material, which the broker may share only within its own communities (${quoteList([...facts.teamCommunities])}); ${organisation.name} belongs to none of them.`,
      );
    }
  } else if (provenance.label === 'TLP:AMBER') {
    const namedHere = facts.organisations.has(organisation.id) || (contact !== null && facts.contacts.has(contact.id));
    if (organisation.relation !== 'constituent' || !namedHere) {
      refusal = deny(
        'provenance.amber.not-own-constituent',
        `This ${facts.describe} is derived from ${origin} material, which the broker may pass only to its own constituents on a need-to-know basis; ${
          organisation.relation !== 'constituent'
            ? `${organisation.name} is a peer, not a constituent`
            : `${who} is not named in the audience`
        }.`,
      );
    }
  } else {
    refusal = deny(
      'provenance.no-onward-sharing',
      `This ${facts.describe} is derived from ${origin} material, which may not leave the team: ${organisation.name} is outside it.`,
    );
  }
  if (!refusal) return { decision: null, consentNote: null };
  if (consentCovers(facts, organisation, contact)) {
    return {
      decision: null,
      consentNote: `Sharing beyond ${origin} is covered by the originator's recorded consent (${facts.consent!.reference}).`,
    };
  }
  return { decision: refusal, consentNote: null };
}

function consentCovers(facts: ItemFacts, organisation: PolicyOrganisation, contact: PolicyContact | null): boolean {
  const consent = facts.consent;
  if (!consent) return false;
  if (consent.organisations.has(organisation.id)) return true;
  if (contact !== null && consent.contacts.has(contact.id)) return true;
  return organisation.communities.some((community) => consent.communities.has(community));
}

/**
 * Whether a message may be encrypted to this key at `now`: present, not revoked, not expired,
 * able to encrypt, strong enough — the key rule above TLP:CLEAR. A TLP:CLEAR delivery to a channel
 * whose key fails it goes signed and unencrypted, as it does to a channel with no key.
 */
export function canEncryptTo(key: PolicyKey | null, now: Date): key is PolicyKey {
  return key !== null && checkKey(key, now, 'the recipient', 'the message') === null;
}

function checkKey(key: PolicyKey | null, now: Date, who: string, label: string): Decision | null {
  if (key === null) {
    return deny(
      'key.missing',
      `${label} leaves the broker only encrypted, and ${who} has no OpenPGP key for this channel.`,
    );
  }
  if (key.revoked) {
    return deny(
      'key.revoked',
      `The OpenPGP key ${key.fingerprint} of ${who} is revoked; ${label} cannot be encrypted to it.`,
    );
  }
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) {
    return deny(
      'key.expired',
      `The OpenPGP key ${key.fingerprint} of ${who} expired on ${key.expiresAt.toISOString()}; ${label} cannot be encrypted to it.`,
    );
  }
  if (!key.canEncrypt) {
    return deny('key.cannot-encrypt', `The OpenPGP key ${key.fingerprint} of ${who} has no usable encryption subkey.`);
  }
  const weakness = key.algorithm === undefined ? null : keyWeakness(key.algorithm, key.bits ?? null);
  if (weakness) {
    return deny('key.weak', `The OpenPGP key ${key.fingerprint} of ${who} is too weak for ${label}: ${weakness}.`);
  }
  return null;
}

/** Nothing named: for TLP:GREEN and above, the item reaches nobody (intake refuses such an item). */
export function isEmptyAudience(item: PolicyItem): boolean {
  const { communities, organisations, contacts } = item.audience;
  return communities.length === 0 && organisations.length === 0 && contacts.length === 0;
}

function denyRedistributes(label: TlpLabel, channel: PolicyChannel, who: string): Decision {
  return deny(
    'tlp.amber-strict.redistributes',
    `${label} must stay within the recipient organisation, and the ${channel.kind} channel of ${who} relays to third parties.`,
  );
}

function amberHandling(organisation: PolicyOrganisation, channel: PolicyChannel): string | null {
  return organisation.relation === 'constituent' || channel.redistributes ? AMBER_CLIENTS_HANDLING : null;
}

function allow(code: ReasonCode, reason: string, handling: string | null = null): Decision {
  return { allow: true, code, reason, handling };
}

function deny(code: ReasonCode, reason: string): Decision {
  return { allow: false, code, reason, handling: null };
}

/** "the feed channel of CERT-X", "the personal e-mail channel of Jane Doe (EC3)", with ", which relays to third parties," where it does. */
function describeChannel(channel: PolicyChannel, owner: string, onCall = ''): string {
  const personal = onCall || (channel.contact ? 'personal ' : '');
  const relay = channel.redistributes ? ', which relays to third parties,' : '';
  const kind = channel.kind === 'pager' ? 'paging hook' : `${channel.kind} channel`;
  return `the ${personal}${kind} of ${owner}${relay}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function quoteList(values: readonly string[], conjunction = 'or'): string {
  const quoted = values.map((value) => `"${value}"`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted[quoted.length - 1]}`;
}

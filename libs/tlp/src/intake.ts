import { PapLabel, tlpRank, TlpLabel } from './labels';
import { Audience, Provenance } from './policy';

export interface IntakeItem {
  readonly tlp: TlpLabel;
  readonly pap?: PapLabel | null;
  readonly title: string;
  readonly summary?: string;
  readonly body: string;
  readonly audience: Audience;
  readonly caveats: readonly string[];
  readonly provenance: Provenance | null;
}

export interface IntakeProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * Markings of national defence secret (France: Secret, Très Secret, and the former Confidentiel
 * Défense / Secret Défense; NATO and EU equivalents) given as caveats. This system must not carry
 * such material: it is refused at intake, never stored.
 */
export const NATIONAL_DEFENCE_SECRET_CAVEATS: ReadonlySet<string> = new Set([
  'national-defence-secret',
  'secret-defense',
  'secret-defence',
  'confidentiel-defense',
  'tres-secret',
  'tres-secret-defense',
  'secret',
  'top-secret',
  'nato-secret',
  'nato-confidential',
  'cosmic-top-secret',
  'eu-secret',
  'eu-confidential',
  'eu-top-secret',
  'eu-restricted',
  'secret-ue',
  'confidentiel-ue',
  'restreint-ue',
  'nato-restricted',
]);

/**
 * A classification banner at the start of the title or of a line of the summary or body, in
 * capitals as such banners are written ("SECRET DÉFENSE", "TRÈS SECRET", "NATO SECRET",
 * "SECRET UE/EU SECRET", "SECRET//NOFORN"...), matched on text with accents, odd spaces, hyphens
 * and quoting removed (see `markingText`). Ordinary prose ("a secret key") does not match.
 */
const CLASSIFICATION_BANNER = new RegExp(
  '^(' +
    [
      'TRES SECRET(?: DEFEN[CS]E)?',
      'SECRET DEFEN[CS]E',
      'CONFIDENTIEL DEFEN[CS]E',
      'NATO (?:SECRET|CONFIDENTIAL|RESTRICTED)',
      'COSMIC TOP SECRET',
      '(?:EU|UE) (?:TOP SECRET|SECRET|CONFIDENTIAL|RESTRICTED)',
      '(?:TRES SECRET|SECRET|CONFIDENTIEL|RESTREINT) (?:UE|EU)',
      'TOP SECRET',
      'SECRET(?= ?(?:$|/|\\]|\\)|:|-|\u2013|\u2014|REL TO\\b|NOFORN\\b))',
    ].join('|') +
    ')',
  'm',
);

/**
 * The text as the banner pattern reads it: accents dropped (also when stored decomposed), every
 * kind of space and hyphen between words read as one space, and quoting or list markers at the
 * start of a line ignored.
 */
export function markingText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/[\t\u00A0\u2000-\u200A\u202F\u205F\u3000 ]+/g, ' ')
    .replace(/(?<=[A-Za-z])[-\u2010-\u2013](?=[A-Za-z])/g, ' ')
    .replace(/^[ >*#\-[(«»"“”'‘’]+/gm, '');
}

/** The classification banner in `text` as it was written there, or null. */
function findBanner(text: string): string | null {
  for (const line of text.split(/\r?\n/)) {
    const match = CLASSIFICATION_BANNER.exec(markingText(line));
    if (!match) continue;
    // Quote the marking as the author typed it: the shortest start of the line that reads as the match.
    const written = line.normalize('NFC').replace(/^[\s>*#\-[(«»"“”'‘’\u200B-\u200D\u2060\uFEFF]+/u, '');
    for (let end = 1; end <= written.length; end++) {
      if (markingText(written.slice(0, end)).trimEnd() === match[1]) return written.slice(0, end);
    }
    return match[1];
  }
  return null;
}

/** A caveat written in any case or with accents ("SECRET-DÉFENSE") is read as its slug. */
function caveatSlug(caveat: string): string {
  return markingText(caveat).trim().toLowerCase().replace(/[\s_]+/g, '-');
}

export const DEFENCE_SECRET_REFUSAL = 'national defence secret material must not be carried by this system: it was refused and not stored';

/**
 * Checks a new item version before anything is stored: audience fit for the label, caveats, no
 * national defence secret, no downgrade of a partner's label. Pure; the caller adds what needs
 * the database (unknown organisations, contacts, communities, caveats).
 */
export function checkIntake(item: IntakeItem): IntakeProblem[] {
  const problems: IntakeProblem[] = [];
  const { tlp, audience } = item;

  const classified = item.caveats.filter((caveat) => NATIONAL_DEFENCE_SECRET_CAVEATS.has(caveatSlug(caveat)));
  if (classified.length > 0) problems.push({ field: 'caveats', message: `"${classified[0]}": ${DEFENCE_SECRET_REFUSAL}` });
  for (const [field, text] of [['title', item.title], ['summary', item.summary ?? ''], ['body', item.body]] as const) {
    const banner = findBanner(text);
    if (banner) problems.push({ field, message: `marked "${banner}": ${DEFENCE_SECRET_REFUSAL}` });
  }

  if (tlp === 'TLP:RED' && audience.contacts.length === 0) {
    problems.push({ field: 'audience.contacts', message: 'TLP:RED goes only to named people: list at least one contact' });
  }
  if (tlp === 'TLP:GREEN' && audience.communities.length + audience.organisations.length + audience.contacts.length === 0) {
    problems.push({ field: 'audience.communities', message: 'TLP:GREEN is shared within a community: name at least one community or organisation' });
  }
  if ((tlp === 'TLP:AMBER' || tlp === 'TLP:AMBER+STRICT') && audience.organisations.length === 0 && audience.contacts.length === 0) {
    problems.push({ field: 'audience.organisations', message: `${tlp} is need to know: name at least one organisation or contact` });
  }
  if (tlp === 'TLP:CLEAR' && item.caveats.length > 0 && classified.length === 0) {
    problems.push({ field: 'caveats', message: 'TLP:CLEAR material may be published: a handling caveat contradicts it (choose a stricter label)' });
  }

  const provenance = item.provenance;
  if (provenance) {
    if (tlpRank(tlp) < tlpRank(provenance.label)) {
      problems.push({
        field: 'tlp',
        message: `derived from ${provenance.originator}'s ${provenance.label} material: label it ${provenance.label} or stricter (no downgrade without the originator's new label)`,
      });
    }
    const consent = provenance.consent;
    if (consent) {
      const { communities, organisations, contacts } = consent.audience;
      if (communities.length + organisations.length + contacts.length === 0) {
        problems.push({ field: 'provenance.consent.audience', message: 'name whom the originator consented to share with' });
      }
      if (consent.reference.trim() === '') {
        problems.push({ field: 'provenance.consent.reference', message: "record where the originator's written consent is (message id, letter reference…)" });
      }
    }
  }
  return problems;
}

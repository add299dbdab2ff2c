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
]);

/**
 * A classification banner at the start of the title or of a line of the summary or body, in
 * capitals as such banners are written ("SECRET DÉFENSE", "TRÈS SECRET", "NATO SECRET",
 * "CONFIDENTIEL DÉFENSE", "SECRET//NOFORN"...). Ordinary prose ("a secret key") does not match.
 */
const CLASSIFICATION_BANNER =
  /^[\s*#\-[(]*(TR[ÈE]S SECRET|SECRET D[ÉE]FEN[CS]E|CONFIDENTIEL D[ÉE]FENSE|NATO (?:SECRET|CONFIDENTIAL)|COSMIC TOP SECRET|(?:EU|UE) (?:SECRET|CONFIDENTIAL|TOP SECRET)|TOP SECRET|SECRET(?=\s*(?:$|\/\/|\]|\)|-|:)))/mu;

export const DEFENCE_SECRET_REFUSAL = 'national defence secret material must not be carried by this system: it was refused and not stored';

/**
 * Checks a new item version before anything is stored: audience fit for the label, caveats, no
 * national defence secret, no downgrade of a partner's label. Pure; the caller adds what needs
 * the database (unknown organisations, contacts, communities, caveats).
 */
export function checkIntake(item: IntakeItem): IntakeProblem[] {
  const problems: IntakeProblem[] = [];
  const { tlp, audience } = item;

  const classified = item.caveats.filter((caveat) => NATIONAL_DEFENCE_SECRET_CAVEATS.has(caveat));
  if (classified.length > 0) problems.push({ field: 'caveats', message: `"${classified[0]}": ${DEFENCE_SECRET_REFUSAL}` });
  for (const [field, text] of [['title', item.title], ['summary', item.summary ?? ''], ['body', item.body]] as const) {
    const banner = CLASSIFICATION_BANNER.exec(text);
    if (banner) problems.push({ field, message: `marked "${banner[1]}": ${DEFENCE_SECRET_REFUSAL}` });
  }

  if (tlp === 'TLP:RED' && audience.contacts.length === 0) {
    problems.push({ field: 'audience.contacts', message: 'TLP:RED goes only to named people: list at least one contact' });
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

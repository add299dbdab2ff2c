import { PapLabel, tlpRank, TlpLabel } from './labels';
import { foldLookAlikes, LINE_BREAK, lookAlikePattern, WORD_END, WORD_SEPARATOR } from './look-alikes';
import type { Audience } from '@tlp-broker/domain';
import { Provenance } from './policy';

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

/** Each marking in every order and spelling it is written in (French, NATO, EU, US style). */
const BANNER_PHRASES: readonly string[] = [
  ...['tres secret', 'secret', 'confidentiel'].flatMap((marking) =>
    ['defense', 'defence'].map((defence) => `${marking} ${defence}`),
  ),
  'tres secret',
  ...['secret', 'confidential', 'restricted'].map((level) => `nato ${level}`),
  'cosmic top secret',
  ...['eu', 'ue'].flatMap((union) =>
    ['top secret', 'secret', 'confidential', 'restricted'].map((level) => `${union} ${level}`),
  ),
  ...['tres secret', 'secret', 'confidentiel', 'restreint'].flatMap((level) =>
    ['ue', 'eu'].map((union) => `${level} ${union}`),
  ),
  'top secret',
];

/**
 * What makes a lone "SECRET" a banner rather than prose: after it, the end of the line, "/", ":", a
 * closing bracket, "REL TO", "NOFORN", or a dash that does not join it to a word ("SECRET - …" is a
 * banner, "Secret-Service" is not).
 */
const SECRET_ALONE = `${lookAlikePattern('secret')}(?=[ _]*(?:$|[/:\\p{Pe}])|${WORD_SEPARATOR}+(?:${lookAlikePattern('rel to')}|${lookAlikePattern('noforn')})${WORD_END}|[ _]+\\p{Pd}|\\p{Pd}${WORD_END})`;

/**
 * A classification banner at the start of a line ("SECRET DÉFENSE", "TRÈS SECRET", "NATO SECRET",
 * "SECRET UE/EU SECRET", "SECRET//NOFORN"...), matched on `foldLookAlikes` text (any case, accents,
 * look-alike letters, fullwidth forms, odd spaces, dashes and invisible characters) after the
 * quoting or list markers that start the line. A banner ends a word: ordinary prose ("a secret key",
 * "Secret Service phishing", "Top secrets of…", "TOPSECRET-looking") does not match.
 */
const CLASSIFICATION_BANNER = new RegExp(
  `^(?:${[...BANNER_PHRASES]
    .sort((a, b) => b.length - a.length)
    .map((phrase) => lookAlikePattern(phrase) + WORD_END)
    .join('|')}|${SECRET_ALONE})`,
  'u',
);

/** Quoting or list markers before a banner (">", "*", "#", "-", "[", "(", "«", quotes…): anything but a letter or digit. */
const LINE_LEAD = /^[^\p{L}\p{N}]+/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/gu;
const letters = (text: string) => text.match(LETTER_OR_DIGIT)?.length ?? 0;

/** The classification banner in `text` as it was written there, or null. */
function findBanner(text: string): string | null {
  // One fold for the whole text: it keeps one "\n" for each line break.
  const folded = foldLookAlikes(text).split('\n');
  const lines = text.split(LINE_BREAK);
  for (const [index, line] of folded.entries()) {
    const match = CLASSIFICATION_BANNER.exec(line.replace(LINE_LEAD, ''));
    if (match) return asWritten((lines[index] ?? '').normalize('NFC'), letters(match[0])) ?? match[0];
  }
  return null;
}

/**
 * The start of `line` that folds to `count` letters, leading markers left out: the marking as the
 * author typed it, look-alikes, invisible characters and all.
 */
function asWritten(line: string, count: number): string | null {
  const characters = [...line];
  const folds = new Map<string, number>();
  const lettersOf = (character: string) =>
    folds.get(character) ?? folds.set(character, letters(foldLookAlikes(character))).get(character)!;
  let start = 0;
  while (start < characters.length && lettersOf(characters[start]) === 0) start++;
  let seen = 0;
  for (let end = start; end < characters.length; end++) {
    seen += lettersOf(characters[end]);
    if (seen < count) continue;
    if (seen > count) return null;
    let stop = end + 1;
    while (stop < characters.length && /^\p{M}$/u.test(characters[stop])) stop++;
    return characters.slice(start, stop).join('');
  }
  return null;
}

/** The caveat names of `NATIONAL_DEFENCE_SECRET_CAVEATS`, however they are typed. */
const CLASSIFIED_CAVEAT = new RegExp(
  `^${WORD_SEPARATOR}*(?:${[...NATIONAL_DEFENCE_SECRET_CAVEATS].map(lookAlikePattern).join('|')})${WORD_SEPARATOR}*$`,
  'u',
);

/**
 * Whether a caveat name marks national defence secret: "secret-defense" and also "SECRET DÉFENSE",
 * "Secret_Defense", "sеcret-defense" with a Cyrillic е, "nat0-secret", "nato--secret"…
 */
export function isNationalDefenceSecretCaveat(caveat: string): boolean {
  return CLASSIFIED_CAVEAT.test(foldLookAlikes(caveat));
}

export const DEFENCE_SECRET_REFUSAL =
  'national defence secret material must not be carried by this system: it was refused and not stored';

/**
 * Checks a new item version before anything is stored: audience fit for the label, caveats, no
 * national defence secret, no downgrade of a partner's label. Pure; the caller adds what needs
 * the database (unknown organisations, contacts, communities, caveats).
 */
export function checkIntake(item: IntakeItem): IntakeProblem[] {
  return [
    ...defenceSecretProblems(item),
    ...audienceProblems(item),
    ...clearCaveatProblems(item),
    ...provenanceProblems(item),
  ];
}

/** National defence secret caveats and banners. */
function defenceSecretProblems(item: IntakeItem): IntakeProblem[] {
  const problems: IntakeProblem[] = [];
  const classified = item.caveats.filter(isNationalDefenceSecretCaveat);
  if (classified.length > 0)
    problems.push({ field: 'caveats', message: `"${classified[0]}": ${DEFENCE_SECRET_REFUSAL}` });
  for (const [field, text] of [
    ['title', item.title],
    ['summary', item.summary ?? ''],
    ['body', item.body],
  ] as const) {
    const banner = findBanner(text);
    if (banner) problems.push({ field, message: `marked "${banner}": ${DEFENCE_SECRET_REFUSAL}` });
  }
  return problems;
}

/** A caveat on TLP:CLEAR (other than a defence secret one, refused above). */
function clearCaveatProblems(item: IntakeItem): IntakeProblem[] {
  if (item.tlp !== 'TLP:CLEAR' || item.caveats.length === 0 || item.caveats.some(isNationalDefenceSecretCaveat))
    return [];
  return [
    {
      field: 'caveats',
      message: 'TLP:CLEAR material may be published: a handling caveat contradicts it (choose a stricter label)',
    },
  ];
}

/** The audience each label needs. */
function audienceProblems({ tlp, audience }: IntakeItem): IntakeProblem[] {
  const named = audience.communities.length + audience.organisations.length + audience.contacts.length;
  if (tlp === 'TLP:RED' && audience.contacts.length === 0) {
    return [{ field: 'audience.contacts', message: 'TLP:RED goes only to named people: list at least one contact' }];
  }
  if (tlp === 'TLP:GREEN' && named === 0) {
    return [
      {
        field: 'audience.communities',
        message: 'TLP:GREEN is shared within a community: name at least one community or organisation',
      },
    ];
  }
  if (
    (tlp === 'TLP:AMBER' || tlp === 'TLP:AMBER+STRICT') &&
    audience.organisations.length + audience.contacts.length === 0
  ) {
    return [
      { field: 'audience.organisations', message: `${tlp} is need to know: name at least one organisation or contact` },
    ];
  }
  return [];
}

/** No downgrade of the originator's label; a recorded consent names its audience and where it is written. */
function provenanceProblems({ tlp, provenance }: IntakeItem): IntakeProblem[] {
  if (!provenance) return [];
  const problems: IntakeProblem[] = [];
  if (tlpRank(tlp) < tlpRank(provenance.label)) {
    problems.push({
      field: 'tlp',
      message: `derived from ${provenance.originator}'s ${provenance.label} material: label it ${provenance.label} or stricter (no downgrade without the originator's new label)`,
    });
  }
  const consent = provenance.consent;
  if (!consent) return problems;
  const { communities, organisations, contacts } = consent.audience;
  if (communities.length + organisations.length + contacts.length === 0) {
    problems.push({
      field: 'provenance.consent.audience',
      message: 'name whom the originator consented to share with',
    });
  }
  if (consent.reference.trim() === '') {
    problems.push({
      field: 'provenance.consent.reference',
      message: "record where the originator's written consent is (message id, letter reference…)",
    });
  }
  return problems;
}

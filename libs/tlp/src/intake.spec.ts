import { describe, expect, it } from 'vitest';
import {
  DEFENCE_SECRET_REFUSAL,
  IntakeItem,
  IntakeProblem,
  NATIONAL_DEFENCE_SECRET_CAVEATS,
  checkIntake,
} from './intake';
import { TLP_LABELS, TlpLabel, tlpRank } from './labels';
import { Provenance } from './policy';

/** An item with nothing wrong with it; each test changes one thing. */
const item = (overrides: Partial<IntakeItem> = {}): IntakeItem => ({
  tlp: 'TLP:AMBER',
  title: 'Phishing campaign against investigators',
  summary: 'Lures imitating a court summons.',
  body: 'Indicators are attached.\nBlock the sender domains.',
  audience: { communities: ['eu-lea'], organisations: ['org-a'], contacts: ['contact-a'] },
  caveats: [],
  provenance: null,
  ...overrides,
});

const refusedAsDefenceSecret = (field: string, marking: string): IntakeProblem => ({
  field,
  message: `marked "${marking}": ${DEFENCE_SECRET_REFUSAL}`,
});

describe('checkIntake: a well-formed item', () => {
  it.each(TLP_LABELS)('accepts %s with a full audience', (tlp) => {
    expect(checkIntake(item({ tlp }))).toEqual([]);
  });

  it('the refusal says the material is neither carried nor stored', () => {
    expect(DEFENCE_SECRET_REFUSAL).toBe(
      'national defence secret material must not be carried by this system: it was refused and not stored',
    );
  });
});

describe('checkIntake: national defence secret as a caveat', () => {
  it.each([...NATIONAL_DEFENCE_SECRET_CAVEATS])('refuses the caveat "%s"', (caveat) => {
    expect(checkIntake(item({ caveats: ['need-to-know', caveat] }))).toEqual([
      { field: 'caveats', message: `"${caveat}": ${DEFENCE_SECRET_REFUSAL}` },
    ]);
  });

  it('covers the French, NATO and EU markings', () => {
    for (const caveat of [
      'secret-defense',
      'confidentiel-defense',
      'tres-secret',
      'secret',
      'nato-secret',
      'cosmic-top-secret',
      'eu-secret',
    ]) {
      expect(NATIONAL_DEFENCE_SECRET_CAVEATS.has(caveat)).toBe(true);
    }
  });

  it('names the first classified caveat once, however many there are', () => {
    expect(checkIntake(item({ caveats: ['tres-secret', 'nato-secret'] }))).toEqual([
      { field: 'caveats', message: `"tres-secret": ${DEFENCE_SECRET_REFUSAL}` },
    ]);
  });

  it('on TLP:CLEAR, reports the defence secret refusal and not also the caveat-on-CLEAR one', () => {
    expect(checkIntake(item({ tlp: 'TLP:CLEAR', caveats: ['secret-defense'] }))).toEqual([
      { field: 'caveats', message: `"secret-defense": ${DEFENCE_SECRET_REFUSAL}` },
    ]);
  });

  it('accepts ordinary handling caveats', () => {
    expect(checkIntake(item({ caveats: ['judicial-secret', 'need-to-know'] }))).toEqual([]);
  });
});

describe('checkIntake: national defence secret as a banner', () => {
  /** The banner as written, and the marking the refusal quotes. */
  const BANNERS: readonly { banner: string; marking: string }[] = [
    { banner: 'SECRET DÉFENSE', marking: 'SECRET DÉFENSE' },
    { banner: 'TRÈS SECRET', marking: 'TRÈS SECRET' },
    { banner: 'CONFIDENTIEL DÉFENSE', marking: 'CONFIDENTIEL DÉFENSE' },
    { banner: 'NATO SECRET', marking: 'NATO SECRET' },
    { banner: 'SECRET//NOFORN', marking: 'SECRET' },
    { banner: 'SECRET', marking: 'SECRET' },
  ];

  it.each(BANNERS)('refuses "$banner" at the start of the title', ({ banner, marking }) => {
    const title = banner === 'SECRET' ? 'SECRET' : `${banner} – note on a phishing campaign`;
    expect(checkIntake(item({ title }))).toEqual([refusedAsDefenceSecret('title', marking)]);
  });

  it.each(BANNERS)('refuses "$banner" as a line of the summary', ({ banner, marking }) => {
    expect(checkIntake(item({ summary: `Lures imitating a court summons.\n${banner}\nMore below.` }))).toEqual([
      refusedAsDefenceSecret('summary', marking),
    ]);
  });

  it.each(BANNERS)('refuses "$banner" as the first line of the body', ({ banner, marking }) => {
    expect(checkIntake(item({ body: `${banner}\nIndicators are attached.` }))).toEqual([
      refusedAsDefenceSecret('body', marking),
    ]);
  });

  it.each(BANNERS)('refuses "$banner" on a later line of the body', ({ banner, marking }) => {
    expect(checkIntake(item({ body: `Indicators are attached.\n\n${banner}\nBlock the sender domains.` }))).toEqual([
      refusedAsDefenceSecret('body', marking),
    ]);
  });

  it.each([
    ['[SECRET DÉFENSE]', 'SECRET DÉFENSE'],
    ['** TRÈS SECRET **', 'TRÈS SECRET'],
    ['# NATO SECRET', 'NATO SECRET'],
    ['  SECRET', 'SECRET'],
    ['(SECRET)', 'SECRET'],
    ['SECRET: do not forward', 'SECRET'],
    ['SECRET DEFENSE', 'SECRET DEFENSE'],
    ['TRES SECRET', 'TRES SECRET'],
    ['TOP SECRET', 'TOP SECRET'],
  ])('refuses the banner written "%s"', (line, marking) => {
    expect(checkIntake(item({ body: `Indicators are attached.\n${line}` }))).toEqual([
      refusedAsDefenceSecret('body', marking),
    ]);
  });

  it('reports every field that carries a banner', () => {
    expect(checkIntake(item({ title: 'TRÈS SECRET', summary: 'NATO SECRET', body: 'SECRET//NOFORN\ntext' }))).toEqual([
      refusedAsDefenceSecret('title', 'TRÈS SECRET'),
      refusedAsDefenceSecret('summary', 'NATO SECRET'),
      refusedAsDefenceSecret('body', 'SECRET'),
    ]);
  });

  it('reports a classified caveat and a banner together', () => {
    expect(checkIntake(item({ caveats: ['nato-secret'], title: 'NATO SECRET' }))).toEqual([
      { field: 'caveats', message: `"nato-secret": ${DEFENCE_SECRET_REFUSAL}` },
      refusedAsDefenceSecret('title', 'NATO SECRET'),
    ]);
  });

  const PROSE = [
    'a secret key was leaked',
    'Secret Service phishing',
    'the word SECRET in the middle of a line',
    'SECRETARIAT of the working group',
    'The leak contained TRÈS SECRET in a quoted string',
    'Secret keys found in a public repository',
    'Top secrets of ransomware negotiation',
    'Secret-Service phishing',
    'Secret defenses of a botnet operator',
    'Nato summit lures',
    'EU sanctions evasion',
  ];

  it.each(PROSE)('accepts the title "%s"', (title) => {
    expect(checkIntake(item({ title }))).toEqual([]);
  });

  it.each(PROSE)('accepts the summary and body line "%s"', (line) => {
    expect(
      checkIntake(item({ summary: line, body: `Indicators are attached.\n${line}\nBlock the sender domains.` })),
    ).toEqual([]);
  });
});

describe('checkIntake: caveats on TLP:CLEAR', () => {
  const problem: IntakeProblem = {
    field: 'caveats',
    message: 'TLP:CLEAR material may be published: a handling caveat contradicts it (choose a stricter label)',
  };

  it.each(['need-to-know', 'judicial-secret'])('refuses TLP:CLEAR with the caveat "%s"', (caveat) => {
    expect(checkIntake(item({ tlp: 'TLP:CLEAR', caveats: [caveat] }))).toEqual([problem]);
  });

  it('accepts TLP:CLEAR without caveats and any other label with them', () => {
    expect(checkIntake(item({ tlp: 'TLP:CLEAR' }))).toEqual([]);
    for (const tlp of TLP_LABELS.filter((label) => label !== 'TLP:CLEAR')) {
      expect(checkIntake(item({ tlp, caveats: ['judicial-secret'] }))).toEqual([]);
    }
  });
});

describe('checkIntake: the audience a label needs', () => {
  const none = { communities: [], organisations: [], contacts: [] };
  const red: IntakeProblem = {
    field: 'audience.contacts',
    message: 'TLP:RED goes only to named people: list at least one contact',
  };
  const amber = (tlp: TlpLabel): IntakeProblem => ({
    field: 'audience.organisations',
    message: `${tlp} is need to know: name at least one organisation or contact`,
  });

  it('refuses TLP:RED without contacts, even with organisations and communities', () => {
    expect(checkIntake(item({ tlp: 'TLP:RED', audience: none }))).toEqual([red]);
    expect(
      checkIntake(
        item({ tlp: 'TLP:RED', audience: { communities: ['eu-lea'], organisations: ['org-a'], contacts: [] } }),
      ),
    ).toEqual([red]);
  });

  it('accepts TLP:RED with one contact', () => {
    expect(checkIntake(item({ tlp: 'TLP:RED', audience: { ...none, contacts: ['contact-a'] } }))).toEqual([]);
  });

  it.each<TlpLabel>(['TLP:AMBER', 'TLP:AMBER+STRICT'])(
    'refuses %s without organisations or contacts, even with communities',
    (tlp) => {
      expect(checkIntake(item({ tlp, audience: none }))).toEqual([amber(tlp)]);
      expect(checkIntake(item({ tlp, audience: { ...none, communities: ['eu-lea'] } }))).toEqual([amber(tlp)]);
    },
  );

  it.each<TlpLabel>(['TLP:AMBER', 'TLP:AMBER+STRICT'])(
    'accepts %s with only an organisation, or only a contact',
    (tlp) => {
      expect(checkIntake(item({ tlp, audience: { ...none, organisations: ['org-a'] } }))).toEqual([]);
      expect(checkIntake(item({ tlp, audience: { ...none, contacts: ['contact-a'] } }))).toEqual([]);
    },
  );

  it('accepts TLP:CLEAR with no audience at all', () => {
    expect(checkIntake(item({ tlp: 'TLP:CLEAR', audience: none }))).toEqual([]);
  });

  it('refuses TLP:GREEN with no audience at all, naming audience.communities', () => {
    expect(checkIntake(item({ tlp: 'TLP:GREEN', audience: none }))).toEqual([
      {
        field: 'audience.communities',
        message: 'TLP:GREEN is shared within a community: name at least one community or organisation',
      },
    ]);
  });
});

describe('checkIntake: provenance', () => {
  const derived = (label: TlpLabel, consent: Provenance['consent'] = null): Provenance => ({
    originator: 'Europol EC3',
    label,
    consent,
  });
  const downgrade = (label: TlpLabel): IntakeProblem => ({
    field: 'tlp',
    message: `derived from Europol EC3's ${label} material: label it ${label} or stricter (no downgrade without the originator's new label)`,
  });
  const pairs = TLP_LABELS.flatMap((tlp) => TLP_LABELS.map((originator) => ({ tlp, originator })));

  it.each(pairs.filter(({ tlp, originator }) => tlpRank(tlp) < tlpRank(originator)))(
    'refuses $tlp derived from $originator material (downgrade)',
    ({ tlp, originator }) => {
      expect(checkIntake(item({ tlp, provenance: derived(originator) }))).toEqual([downgrade(originator)]);
    },
  );

  it.each(pairs.filter(({ tlp, originator }) => tlpRank(tlp) >= tlpRank(originator)))(
    'accepts $tlp derived from $originator material',
    ({ tlp, originator }) => {
      expect(checkIntake(item({ tlp, provenance: derived(originator) }))).toEqual([]);
    },
  );

  it('refuses a downgrade even when the originator consented to a wider audience', () => {
    const consent = {
      audience: { communities: [], organisations: ['org-b'], contacts: [] },
      reference: 'EC3 letter 2025/117',
    };
    expect(checkIntake(item({ tlp: 'TLP:GREEN', provenance: derived('TLP:RED', consent) }))).toEqual([
      downgrade('TLP:RED'),
    ]);
  });

  const audienceProblem: IntakeProblem = {
    field: 'provenance.consent.audience',
    message: 'name whom the originator consented to share with',
  };
  const referenceProblem: IntakeProblem = {
    field: 'provenance.consent.reference',
    message: "record where the originator's written consent is (message id, letter reference…)",
  };

  it('accepts consent naming an audience, with a reference', () => {
    for (const audience of [
      { communities: ['eu-lea'], organisations: [], contacts: [] },
      { communities: [], organisations: ['org-b'], contacts: [] },
      { communities: [], organisations: [], contacts: ['contact-b'] },
    ]) {
      expect(
        checkIntake(
          item({ tlp: 'TLP:RED', provenance: derived('TLP:RED', { audience, reference: 'EC3 letter 2025/117' }) }),
        ),
      ).toEqual([]);
    }
  });

  it('refuses consent that names nobody', () => {
    const consent = {
      audience: { communities: [], organisations: [], contacts: [] },
      reference: 'EC3 letter 2025/117',
    };
    expect(checkIntake(item({ tlp: 'TLP:RED', provenance: derived('TLP:RED', consent) }))).toEqual([audienceProblem]);
  });

  it.each(['', '   ', '\t\n'])('refuses consent with the blank reference %j', (reference) => {
    const consent = { audience: { communities: [], organisations: ['org-b'], contacts: [] }, reference };
    expect(checkIntake(item({ tlp: 'TLP:RED', provenance: derived('TLP:RED', consent) }))).toEqual([referenceProblem]);
  });

  it('reports both consent problems together', () => {
    const consent = { audience: { communities: [], organisations: [], contacts: [] }, reference: ' ' };
    expect(checkIntake(item({ tlp: 'TLP:RED', provenance: derived('TLP:RED', consent) }))).toEqual([
      audienceProblem,
      referenceProblem,
    ]);
  });
});

describe('defence-secret markings however they are typed', () => {
  const base = {
    tlp: 'TLP:AMBER' as const,
    title: 'Weekly note',
    body: 'Nothing special',
    audience: { communities: [], organisations: ['org-1'], contacts: [] },
    caveats: [] as string[],
    provenance: null,
  };
  const refused = (problems: { message: string }[]) =>
    problems.some((problem) => /national defence secret material must not be carried/.test(problem.message));

  it.each([
    ['decomposed accents', 'SECRET DE\u0301FENSE'],
    ['decomposed accents (très secret)', 'TRE\u0300S SECRET'],
    ['decomposed accents (confidentiel défense)', 'CONFIDENTIEL DE\u0301FENSE'],
    ['the official EU order', 'SECRET UE/EU SECRET'],
    ['SECRET UE', 'SECRET UE'],
    ['CONFIDENTIEL UE', 'CONFIDENTIEL UE'],
    ['RESTREINT UE', 'RESTREINT UE/EU RESTRICTED'],
    ['a hyphen', 'CONFIDENTIEL-DÉFENSE'],
    ['NATO with a hyphen', 'NATO-SECRET'],
    ['two spaces', 'SECRET  DÉFENSE'],
    ['a tab', 'SECRET\tDÉFENSE'],
    ['a non-breaking space', 'SECRET\u00A0DÉFENSE'],
    ['a zero-width space before it', '\u200BSECRET DÉFENSE'],
    ['a quote marker', '> SECRET DÉFENSE'],
    ['French quotes', '« SECRET DÉFENSE »'],
    ['English quotes', '“TRÈS SECRET”'],
    ['a US caveat after a space', 'SECRET /NOFORN'],
    ['a release marking', 'SECRET REL TO USA, FVEY'],
    ['a dash after it', 'SECRET - opération Nightfall'],
  ])('refuses a banner with %s', (_name, banner) => {
    expect(refused(checkIntake({ ...base, body: `Note\n${banner}\nDetails` }))).toBe(true);
    expect(refused(checkIntake({ ...base, title: banner }))).toBe(true);
  });

  it.each([
    ['lower case', 'secret défense', 'secret défense'],
    ['mixed case', 'Secret Défense – note on a phishing campaign', 'Secret Défense'],
    [
      'Cyrillic look-alikes (С, Е, Т)',
      'S\u0415\u0421R\u0415\u0422 D\u0415F\u0415NS\u0415',
      'S\u0415\u0421R\u0415\u0422 D\u0415F\u0415NS\u0415',
    ],
    ['Cyrillic О in NATO', 'NAT\u041E SECRET', 'NAT\u041E SECRET'],
    ['Greek look-alikes (Τ, Ο, Ρ, Ε)', '\u03A4\u039F\u03A1 S\u0395CRET', '\u03A4\u039F\u03A1 S\u0395CRET'],
    ['fullwidth forms', 'ＳＥＣＲＥＴ　ＤＥＦＥＮＳＥ', 'ＳＥＣＲＥＴ　ＤＥＦＥＮＳＥ'],
    ['mathematical letters', '𝐓𝐎𝐏 𝐒𝐄𝐂𝐑𝐄𝐓', '𝐓𝐎𝐏 𝐒𝐄𝐂𝐑𝐄𝐓'],
    ['a digit for a letter', 'T0P SECRET', 'T0P SECRET'],
    ['"rn" for "m"', 'COSRNIC TOP SECRET', 'COSRNIC TOP SECRET'],
    ['a zero-width space between the words', 'SECRET\u200BDÉFENSE', 'SECRET\u200BDÉFENSE'],
    ['a zero-width joiner inside a word', 'SEC\u200DRET DÉFENSE', 'SEC\u200DRET DÉFENSE'],
    ['a word joiner', 'SECRET\u2060DÉFENSE', 'SECRET\u2060DÉFENSE'],
    ['a byte order mark', 'TRÈS\uFEFFSECRET', 'TRÈS\uFEFFSECRET'],
    ['a soft hyphen', 'CONFIDEN\u00ADTIEL DÉFENSE', 'CONFIDEN\u00ADTIEL DÉFENSE'],
    ['a zero-width non-joiner and an ideographic space', 'NATO\u200C\u3000SECRET', 'NATO\u200C\u3000SECRET'],
    ['a lone SECRET in lower case', 'secret//noforn', 'secret'],
    ['a lone SECRET with a fullwidth slash', 'Secret／／NOFORN', 'Secret'],
  ])('refuses a banner typed with %s, quoting it as typed', (_name, banner, marking) => {
    expect(checkIntake({ ...base, title: banner })).toEqual([
      { field: 'title', message: `marked "${marking}": ${DEFENCE_SECRET_REFUSAL}` },
    ]);
    expect(checkIntake({ ...base, summary: `Note\n> ${banner}` })).toEqual([
      { field: 'summary', message: `marked "${marking}": ${DEFENCE_SECRET_REFUSAL}` },
    ]);
    expect(checkIntake({ ...base, body: `Note\n${banner}\nDetails` })).toEqual([
      { field: 'body', message: `marked "${marking}": ${DEFENCE_SECRET_REFUSAL}` },
    ]);
  });

  it.each(['\r', '\u2028', '\u2029', '\u0085', '\v', '\f'])('reads %j as a line break before a banner', (lineBreak) => {
    expect(refused(checkIntake({ ...base, body: `Note${lineBreak}SECRET DÉFENSE` }))).toBe(true);
  });

  it.each([
    'SECRET-DEFENSE',
    'Secret',
    'secret-défense',
    'Tres Secret',
    'NATO_SECRET',
    's\u0435cret-defense', // Cyrillic е
    'ѕecret-defense', // Cyrillic ѕ
    'ＳＥＣＲＥＴ－ＤＥＦＥＮＳＥ',
    'nat0-secret',
    'nato--secret',
    'secret\u200B-defense',
    'CONFIDENTIEL-DEFENSE',
    'cosrnic-top-secret',
  ])('refuses the caveat %j', (caveat) => {
    expect(refused(checkIntake({ ...base, caveats: [caveat] }))).toBe(true);
  });

  it.each(['judicial-secret', 'secret-service', 'top-secrets', 'secretariat', 'nato-summit'])(
    'accepts the caveat %j',
    (caveat) => {
      expect(refused(checkIntake({ ...base, caveats: [caveat] }))).toBe(false);
    },
  );

  it.each([
    'Secret Service phishing',
    'a secret key was leaked',
    'Diffusion restreinte',
    'DIFFUSION RESTREINTE',
    'SECRETARIAT GENERAL notice',
    'TOPSECRET-looking domains',
  ])('accepts %j', (text) => {
    expect(refused(checkIntake({ ...base, title: text, body: text }))).toBe(false);
  });
});

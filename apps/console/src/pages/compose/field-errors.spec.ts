import { describe, expect, it } from 'vitest';
import { messagesFor, normalisePath, placeField, placeProblems, withProblems } from './field-errors';

describe('placeField', () => {
  it.each([
    ['tlp', 'tlp'],
    ['title', 'title'],
    ['releaseAt', 'releaseAt'],
    ['audience.organisations', 'organisations'],
    ['audience.contacts', 'contacts'],
    ['audience.communities', 'communities'],
    ['audience', 'audience'],
    ['provenance.label', 'originatorLabel'],
    ['provenance.originator', 'originator'],
    ['provenance.consent', 'consentReference'],
    ['provenance.consent.reference', 'consentReference'],
    ['provenance.consent.audience', 'consentAudience'],
    ['provenance.consent.audience.communities', 'consentCommunities'],
    ['provenance.consent.audience.organisations', 'consentOrganisations'],
    ['provenance.consent.audience.contacts[1]', 'consentContacts'],
    ['audience.organisations[0]', 'organisations'],
    ['caveats', 'caveats'],
  ])('shows %s on the %s control', (path, field) => {
    expect(placeField(path)).toEqual({ kind: 'field', field });
  });

  it('finds an indicator row and column in either spelling of the path', () => {
    expect(placeField('indicators[2].value')).toEqual({ kind: 'indicator', index: 2, column: 'value' });
    expect(placeField('indicators.0.type')).toEqual({ kind: 'indicator', index: 0, column: 'type' });
    expect(placeField('indicators.3')).toEqual({ kind: 'indicator', index: 3, column: 'value' });
    expect(placeField('indicators')).toEqual({ kind: 'field', field: 'indicators' });
  });

  it('keeps a field the form has no control for for the summary at the top', () => {
    expect(placeField('colour')).toEqual({ kind: 'form' });
  });
});

describe('normalisePath', () => {
  it('writes array indexes as path segments', () => {
    expect(normalisePath('provenance.consent.audience[0]')).toBe('provenance.consent.audience.0');
  });
});

describe('placeProblems', () => {
  it("lays the API's details on the form in its words and keeps them all, in order, for the summary", () => {
    const details = [
      {
        field: 'audience.organisations',
        message: 'TLP:AMBER is need to know: name at least one organisation or contact',
      },
      { field: 'indicators.1.value', message: '"999.1.1.1" is not an IPv4 address' },
      { field: 'tlp', message: "derived from EC3's TLP:RED material: label it TLP:RED or stricter" },
      { field: 'tlp', message: 'second message' },
      { field: 'colour', message: 'property colour should not exist' },
    ];
    const errors = placeProblems(details);
    expect(messagesFor(errors, 'organisations')).toBe(
      'TLP:AMBER is need to know: name at least one organisation or contact',
    );
    expect(messagesFor(errors, 'tlp')).toBe(
      "derived from EC3's TLP:RED material: label it TLP:RED or stricter; second message",
    );
    expect(messagesFor(errors, 'title')).toBeNull();
    expect(errors.indicators).toEqual({ 1: { value: ['"999.1.1.1" is not an IPv4 address'] } });
    expect(errors.all.map((problem) => problem.field)).toEqual(details.map((problem) => problem.field));
    expect(errors.all[4].placement).toEqual({ kind: 'form' });
  });
});

describe('withProblems', () => {
  it("puts the form's own problems first and leaves out what the API says about the same control", () => {
    const api = placeProblems([
      { field: 'tlp', message: 'label it TLP:AMBER+STRICT or stricter' },
      { field: 'provenance.consent.audience', message: 'name whom the originator consented to share with' },
    ]);
    const errors = withProblems(api, [
      { field: 'provenance.consent.audience', message: 'Choose whom they agreed to.' },
    ]);
    expect(messagesFor(errors, 'consentAudience')).toBe('Choose whom they agreed to.');
    expect(messagesFor(errors, 'tlp')).toBe('label it TLP:AMBER+STRICT or stricter');
    expect(errors.all.map((problem) => problem.field)).toEqual(['provenance.consent.audience', 'tlp']);
    expect(withProblems(api, [])).toBe(api);
  });
});

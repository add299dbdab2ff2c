import { describe, expect, it } from 'vitest';
import {
  buildRequest,
  ComposeForm,
  consentProblems,
  emptyForm,
  formFromVersion,
  newIndicatorRow,
  previewRequest,
  StoredVersion,
} from './compose-form';

const noEmbargo = () => null;

const CERT_FR = '0b8f5a1e-3c1d-4f7a-9a51-2d6c1e0f4b11';
const GENDARMERIE = '7c2e9d40-5b6a-4e83-8f12-9a3b4c5d6e77';

/** Derived from EC3's TLP:AMBER+STRICT material, addressed to two organisations. */
const derived = (patch: Partial<ComposeForm>): ComposeForm => ({
  ...emptyForm(),
  tlp: 'TLP:AMBER+STRICT',
  organisations: [CERT_FR, GENDARMERIE],
  derived: true,
  originator: 'Europol EC3',
  originatorLabel: 'TLP:AMBER+STRICT',
  ...patch,
});

describe('buildRequest', () => {
  it('leaves out blank indicator rows and remembers which row each indicator of the request is', () => {
    const rows = [
      newIndicatorRow({ type: 'ipv4', value: '203.0.113.7' }),
      newIndicatorRow(),
      newIndicatorRow({ type: 'domain', value: 'evil.example', description: 'landing page' }),
    ];
    const built = buildRequest({ ...emptyForm(), tlp: 'TLP:AMBER', indicators: rows }, noEmbargo);
    expect(built.body.indicators).toEqual([
      { type: 'ipv4', value: '203.0.113.7' },
      { type: 'domain', value: 'evil.example', description: 'landing page' },
    ]);
    expect(built.indicatorRows).toEqual([rows[0].key, rows[2].key]);
  });

  it('sends optional fields only when chosen, and the embargo as an instant', () => {
    const bare = buildRequest({ ...emptyForm(), tlp: 'TLP:GREEN' }, noEmbargo).body;
    expect(bare).not.toHaveProperty('pap');
    expect(bare).not.toHaveProperty('severity');
    expect(bare).not.toHaveProperty('releaseAt');
    expect(bare).not.toHaveProperty('provenance');
    const full = buildRequest(
      { ...emptyForm(), tlp: 'TLP:GREEN', pap: 'PAP:AMBER', severity: 'high', releaseAt: '2026-12-01T09:00' },
      (local) => (local === '2026-12-01T09:00' ? '2026-12-01T08:00:00.000Z' : null),
    ).body;
    expect(full).toMatchObject({ pap: 'PAP:AMBER', severity: 'high', releaseAt: '2026-12-01T08:00:00.000Z' });
  });

  it('sends an embargo it cannot read as typed, for the API to name the field', () => {
    expect(buildRequest({ ...emptyForm(), releaseAt: 'tomorrow' }, noEmbargo).body.releaseAt).toBe('tomorrow');
  });

  it("sends the originator's consent to exactly the audience chosen for it, not the item's audience", () => {
    const form = derived({
      consentReference: 'e-mail of 20 November',
      consentAudience: { communities: [], organisations: [CERT_FR], contacts: [] },
    });
    expect(buildRequest(form, noEmbargo).body).toMatchObject({
      audience: { communities: [], organisations: [CERT_FR, GENDARMERIE], contacts: [] },
      provenance: {
        originator: 'Europol EC3',
        label: 'TLP:AMBER+STRICT',
        consent: {
          audience: { communities: [], organisations: [CERT_FR], contacts: [] },
          reference: 'e-mail of 20 November',
        },
      },
    });
    expect(consentProblems(form)).toEqual([]);
  });

  it('sends no consent without a reference, and says what a half-written consent lacks', () => {
    const none = derived({});
    expect(buildRequest(none, noEmbargo).body.provenance).toEqual({
      originator: 'Europol EC3',
      label: 'TLP:AMBER+STRICT',
    });
    expect(consentProblems(none)).toEqual([]);

    const noReference = derived({
      consentReference: '  ',
      consentAudience: { communities: ['eu-lea'], organisations: [], contacts: [] },
    });
    expect(buildRequest(noReference, noEmbargo).body.provenance).not.toHaveProperty('consent');
    expect(consentProblems(noReference)).toEqual([
      { field: 'provenance.consent.reference', problem: 'consentReferenceMissing' },
    ]);

    const nobody = derived({ consentReference: 'letter 12' });
    expect(consentProblems(nobody)).toEqual([
      { field: 'provenance.consent.audience', problem: 'consentAudienceMissing' },
    ]);
    // Not derived: no provenance is sent, so nothing about a consent is asked.
    expect(consentProblems({ ...noReference, derived: false })).toEqual([]);
    expect(buildRequest({ ...noReference, derived: false }, noEmbargo).body).not.toHaveProperty('provenance');
  });
});

describe('previewRequest', () => {
  it('stands in for an unwritten title and body, and keeps written ones', () => {
    const empty = previewRequest(buildRequest(emptyForm(), noEmbargo), 'Draft').body;
    expect([empty.title, empty.body]).toEqual(['Draft', 'Draft']);
    const written = previewRequest(buildRequest({ ...emptyForm(), title: 'T', body: 'B' }, noEmbargo), 'Draft').body;
    expect([written.title, written.body]).toEqual(['T', 'B']);
  });
});

describe('formFromVersion', () => {
  const stored: StoredVersion = {
    title: 'Phishing',
    summary: '',
    body: '# Body',
    tlp: 'TLP:AMBER+STRICT',
    pap: null,
    severity: 'high',
    audience: { communities: [], organisations: [CERT_FR, GENDARMERIE], contacts: [] },
    caveats: ['need-to-know'],
    indicators: [{ type: 'ipv4', value: '203.0.113.7' }],
    provenance: {
      originator: 'EC3',
      label: 'TLP:AMBER+STRICT',
      consent: {
        reference: 'letter 12',
        audience: { communities: ['eu-lea'], organisations: [CERT_FR], contacts: [] },
      },
    },
    releaseAt: '2026-12-01T08:00:00.000Z',
  };

  it('fills the form from a stored version, the embargo in the user zone', () => {
    const form = formFromVersion('alert', stored, () => '2026-12-01T09:00');
    expect(form).toMatchObject({
      type: 'alert',
      pap: '',
      severity: 'high',
      organisations: [CERT_FR, GENDARMERIE],
      derived: true,
      consentReference: 'letter 12',
      consentAudience: { communities: ['eu-lea'], organisations: [CERT_FR], contacts: [] },
      releaseAt: '2026-12-01T09:00',
    });
    expect(form.indicators).toEqual([expect.objectContaining({ type: 'ipv4', value: '203.0.113.7', description: '' })]);
  });

  it('sends a stored consent back unchanged, and as edited once edited', () => {
    const form = formFromVersion('alert', stored, () => '2026-12-01T09:00');
    const sent = buildRequest(form, () => '2026-12-01T08:00:00.000Z').body;
    expect(sent.provenance).toEqual({
      originator: 'EC3',
      label: 'TLP:AMBER+STRICT',
      consent: {
        reference: 'letter 12',
        audience: { communities: ['eu-lea'], organisations: [CERT_FR], contacts: [] },
      },
    });
    expect(sent.audience).toEqual(stored.audience);

    const edited = {
      ...form,
      consentAudience: { ...form.consentAudience, communities: [] },
      consentReference: 'letter 12 and its annex',
    };
    expect(buildRequest(edited, noEmbargo).body.provenance?.consent).toEqual({
      reference: 'letter 12 and its annex',
      audience: { communities: [], organisations: [CERT_FR], contacts: [] },
    });
  });

  it('leaves the consent empty when none was recorded', () => {
    const form = formFromVersion(
      'alert',
      { ...stored, provenance: { originator: 'EC3', label: 'TLP:AMBER', consent: null } },
      () => '',
    );
    expect(form).toMatchObject({
      consentReference: '',
      consentAudience: { communities: [], organisations: [], contacts: [] },
    });
    expect(buildRequest(form, noEmbargo).body.provenance).toEqual({ originator: 'EC3', label: 'TLP:AMBER' });
  });
});

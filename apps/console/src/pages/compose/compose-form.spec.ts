import { describe, expect, it } from 'vitest';
import { buildRequest, emptyForm, formFromVersion, newIndicatorRow, previewRequest } from './compose-form';

const noEmbargo = () => null;

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

  it("sends provenance with the originator's consent to the item's audience", () => {
    const form = {
      ...emptyForm(),
      tlp: 'TLP:AMBER',
      organisations: ['o-1'],
      derived: true,
      originator: 'Europol EC3',
      originatorLabel: 'TLP:AMBER',
      consent: true,
      consentReference: 'e-mail of 20 November',
    };
    expect(buildRequest(form, noEmbargo).body.provenance).toEqual({
      originator: 'Europol EC3',
      label: 'TLP:AMBER',
      consent: {
        audience: { communities: [], organisations: ['o-1'], contacts: [] },
        reference: 'e-mail of 20 November',
      },
    });
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
  it('fills the form from a stored version, the embargo in the user zone', () => {
    const form = formFromVersion(
      'alert',
      {
        title: 'Phishing',
        summary: '',
        body: '# Body',
        tlp: 'TLP:AMBER',
        pap: null,
        severity: 'high',
        audience: { communities: [], organisations: ['o-1'], contacts: [] },
        caveats: ['need-to-know'],
        indicators: [{ type: 'ipv4', value: '203.0.113.7' }],
        provenance: { originator: 'EC3', label: 'TLP:AMBER', consent: { reference: 'letter 12' } },
        releaseAt: '2026-12-01T08:00:00.000Z',
      },
      () => '2026-12-01T09:00',
    );
    expect(form).toMatchObject({
      type: 'alert',
      pap: '',
      severity: 'high',
      organisations: ['o-1'],
      derived: true,
      consent: true,
      consentReference: 'letter 12',
      releaseAt: '2026-12-01T09:00',
    });
    expect(form.indicators).toEqual([expect.objectContaining({ type: 'ipv4', value: '203.0.113.7', description: '' })]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { registerContact, registerPartner, TestContact, TestPartner } from './support/partners';

/**
 * The policy engine over HTTP: previews that publish nothing and match what routing then does,
 * explanations for one partner, handling caveats and accreditations, provenance and the
 * originator's consent, and material this system must refuse.
 */
describe('policy over HTTP: preview, explain, caveats, provenance', () => {
  let broker: TestBroker;
  let ec3: TestPartner;
  let certFr: TestPartner;
  let unitParis: TestPartner;
  let unitLyon: TestPartner;
  let investigator: TestContact;

  const counts = async () => {
    const [row] = await broker.db.query(
      `SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM outbox) AS outbox,
              (SELECT count(*) FROM decisions) AS decisions, (SELECT count(*) FROM audit_events) AS audit`,
    );
    return row as Record<string, string>;
  };

  const draft = (overrides: Record<string, unknown>) => ({
    type: 'intel-report',
    title: 'Fraud network infrastructure',
    body: 'Details',
    tlp: 'TLP:AMBER',
    ...overrides,
  });

  const byOrganisation = (
    decisions: { organisation: string; contact: string | null; code: string; allow: boolean; reason: string }[],
  ) => Object.fromEntries(decisions.filter((d) => d.contact === null).map((d) => [d.organisation, d]));

  beforeAll(async () => {
    broker = await startBroker({ env: { TEAM_COMMUNITIES: 'eu-lea' } });
    ec3 = await registerPartner(broker.url, broker.adminKey, {
      name: 'Europol EC3',
      kind: 'lea',
      relation: 'peer',
      communities: ['eu-lea'],
    });
    certFr = await registerPartner(broker.url, broker.adminKey, {
      name: 'CERT-FR',
      relation: 'peer',
      communities: ['fr-csirt'],
    });
    unitParis = await registerPartner(broker.url, broker.adminKey, {
      name: 'SR Paris',
      kind: 'lea',
      relation: 'constituent',
      communities: ['gendarmerie'],
    });
    unitLyon = await registerPartner(broker.url, broker.adminKey, {
      name: 'SR Lyon',
      kind: 'lea',
      relation: 'constituent',
      communities: ['gendarmerie', 'eu-lea'],
    });
    investigator = await registerContact(broker.url, broker.adminKey, unitParis.id, 'Lead Investigator');
    const accredited = await http(broker.url, 'PATCH', `/organisations/${unitParis.id}`, {
      key: broker.adminKey,
      json: { accreditations: ['judicial-secret'] },
    });
    expect(accredited.status).toBe(200);
    expect(accredited.body.accreditations).toEqual(['judicial-secret']);
  });

  afterAll(async () => {
    await broker?.close();
  });

  describe('preview', () => {
    it('shows every partner and channel with a reason, and stores nothing', async () => {
      const before = await counts();
      const response = await http(broker.url, 'POST', '/items/preview', {
        key: broker.analystKey,
        json: draft({
          pap: 'PAP:AMBER',
          caveats: ['judicial-secret'],
          audience: { organisations: [unitParis.id, unitLyon.id, ec3.id] },
        }),
      });
      expect(response.status).toBe(200);
      expect(await counts()).toEqual(before);
      expect(response.body.item).toMatchObject({ tlp: 'TLP:AMBER', pap: 'PAP:AMBER', caveats: ['judicial-secret'] });
      // Four team feeds and one personal feed.
      expect(response.body.summary).toMatchObject({ channels: 5, allowed: 1, denied: 4 });
      const orgs = byOrganisation(response.body.decisions);
      expect(orgs['SR Paris']).toMatchObject({ allow: true, code: 'tlp.amber.named' });
      expect(orgs['SR Lyon']).toMatchObject({ allow: false, code: 'caveat.not-accredited' });
      expect(orgs['SR Lyon'].reason).toContain('"judicial-secret"');
      expect(orgs['Europol EC3']).toMatchObject({ allow: false, code: 'caveat.not-accredited' });
      expect(orgs['CERT-FR']).toMatchObject({ allow: false, code: 'tlp.amber.not-named' });
    });

    it('matches what routing decides when the same draft is published', async () => {
      const body = draft({ tlp: 'TLP:GREEN', audience: { communities: ['gendarmerie'], organisations: [ec3.id] } });
      const preview = await http(broker.url, 'POST', '/items/preview', { key: broker.analystKey, json: body });
      const published = await http(broker.url, 'POST', '/items', { key: broker.analystKey, json: body });
      const routed = await eventually(async () => {
        const response = await http(broker.url, 'GET', `/items/${published.body.id}/decisions`, {
          key: broker.analystKey,
        });
        return response.body.routed ? response.body : undefined;
      });
      const shape = (decisions: { channelId: string; allow: boolean; code: string; reason: string }[]) =>
        decisions.map(({ channelId, allow, code, reason }) => ({ channelId, allow, code, reason }));
      expect(shape(routed.decisions)).toEqual(shape(preview.body.decisions));
    });

    it('refuses a bad draft the same way publishing does', async () => {
      const response = await http(broker.url, 'POST', '/items/preview', {
        key: broker.analystKey,
        json: draft({ tlp: 'TLP:RED' }),
      });
      expect(response.status).toBe(400);
      expect(response.body.details[0].field).toBe('audience.contacts');
    });
  });

  describe('explain', () => {
    it('gives, for one partner, what was decided and what would be decided now', async () => {
      const published = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({ tlp: 'TLP:AMBER', audience: { organisations: [certFr.id], contacts: [investigator.id] } }),
      });
      await eventually(
        async () =>
          (await http(broker.url, 'GET', `/items/${published.body.id}/decisions`, { key: broker.analystKey })).body
            .routed,
      );

      const explained = await http(
        broker.url,
        'GET',
        `/items/${published.body.id}/explain?organisation=${unitParis.id}`,
        { key: broker.analystKey },
      );
      expect(explained.status).toBe(200);
      expect(explained.body.organisation).toMatchObject({ name: 'SR Paris', relation: 'constituent' });
      const team = explained.body.channels.find((c: { contact: string | null }) => c.contact === null);
      const personal = explained.body.channels.find(
        (c: { contact: string | null }) => c.contact === 'Lead Investigator',
      );
      expect(team.decided).toMatchObject({ allow: false, code: 'tlp.amber.not-named' });
      expect(personal.decided).toMatchObject({ allow: true, code: 'tlp.amber.named' });
      expect(personal.now).toMatchObject({ allow: true, code: 'tlp.amber.named' });
      expect(personal.changed).toBe(false);

      const suspended = await http(broker.url, 'PATCH', `/organisations/${certFr.id}`, {
        key: broker.adminKey,
        json: { status: 'suspended' },
      });
      expect(suspended.body.status).toBe('suspended');
      const after = await http(broker.url, 'GET', `/items/${published.body.id}/explain?organisation=${certFr.id}`, {
        key: broker.analystKey,
      });
      expect(after.body.channels[0].decided).toMatchObject({ allow: true, code: 'tlp.amber.named' });
      expect(after.body.channels[0].now).toMatchObject({ allow: false, code: 'partner.suspended' });
      expect(after.body.channels[0].changed).toBe(true);
      await http(broker.url, 'PATCH', `/organisations/${certFr.id}`, {
        key: broker.adminKey,
        json: { status: 'active' },
      });
      const [audit] = await broker.db.query(
        `SELECT count(*) FROM audit_events WHERE action = 'organisation.updated' AND subject_id = $1`,
        [certFr.id],
      );
      expect(Number(audit.count)).toBe(2);
    });

    it('answers 400 without an organisation and 404 for an unknown one', async () => {
      const published = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({ tlp: 'TLP:CLEAR' }),
      });
      expect(
        (await http(broker.url, 'GET', `/items/${published.body.id}/explain`, { key: broker.analystKey })).status,
      ).toBe(400);
      const unknown = await http(
        broker.url,
        'GET',
        `/items/${published.body.id}/explain?organisation=5b0b5c4e-8f0e-4a53-9d0e-0c1f7a8f2b11`,
        { key: broker.analystKey },
      );
      expect(unknown.status).toBe(404);
    });
  });

  describe('provenance', () => {
    it("passes a partner's TLP:AMBER only to the team's own constituents, unless the originator consented", async () => {
      const audience = { organisations: [unitLyon.id, certFr.id] };
      const provenance = { originator: 'Europol EC3', label: 'TLP:AMBER' };
      const without = await http(broker.url, 'POST', '/items/preview', {
        key: broker.analystKey,
        json: draft({ audience, provenance }),
      });
      const orgs = byOrganisation(without.body.decisions);
      expect(orgs['SR Lyon']).toMatchObject({ allow: true, code: 'tlp.amber.named' });
      expect(orgs['CERT-FR']).toMatchObject({ allow: false, code: 'provenance.amber.not-own-constituent' });
      expect(orgs['CERT-FR'].reason).toContain("Europol EC3's TLP:AMBER");

      const consent = {
        audience: { organisations: [certFr.id] },
        reference: 'EC3 e-mail 2026-11-20, ref. EC3/2026/4411',
      };
      const before = await counts();
      const published = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({ audience, provenance: { ...provenance, consent } }),
      });
      expect(published.status).toBe(201);
      expect(published.body.provenance).toMatchObject({
        originator: 'Europol EC3',
        label: 'TLP:AMBER',
        consent: { reference: consent.reference },
      });
      const routed = await eventually(async () => {
        const response = await http(broker.url, 'GET', `/items/${published.body.id}/decisions`, {
          key: broker.analystKey,
        });
        return response.body.routed ? response.body : undefined;
      });
      const withConsent = byOrganisation(routed.decisions);
      expect(withConsent['CERT-FR']).toMatchObject({ allow: true, code: 'tlp.amber.named' });
      expect(withConsent['CERT-FR'].reason).toContain('EC3/2026/4411');
      // The consent is audited on its own, beside the publication.
      expect(Number((await counts()).audit) - Number(before.audit)).toBeGreaterThanOrEqual(3);
      const [audit] = await broker.db.query(
        `SELECT details FROM audit_events WHERE action = 'item.originator-consent-recorded' AND subject_id = $1`,
        [published.body.id],
      );
      expect(audit.details.consent.reference).toBe(consent.reference);
    });

    it("keeps a partner's TLP:GREEN within the team's communities (TEAM_COMMUNITIES)", async () => {
      const response = await http(broker.url, 'POST', '/items/preview', {
        key: broker.analystKey,
        json: draft({
          tlp: 'TLP:GREEN',
          audience: { communities: ['gendarmerie', 'fr-csirt'] },
          provenance: { originator: 'Interpol', label: 'TLP:GREEN' },
        }),
      });
      const orgs = byOrganisation(response.body.decisions);
      expect(orgs['SR Lyon']).toMatchObject({ allow: true });
      expect(orgs['SR Paris']).toMatchObject({ allow: false, code: 'provenance.green.outside-team-communities' });
      expect(orgs['CERT-FR']).toMatchObject({ allow: false, code: 'provenance.green.outside-team-communities' });
    });

    it("lets a partner's TLP:RED or TLP:AMBER+STRICT leave the team for nobody", async () => {
      const response = await http(broker.url, 'POST', '/items/preview', {
        key: broker.analystKey,
        json: draft({
          tlp: 'TLP:RED',
          audience: { contacts: [investigator.id] },
          provenance: { originator: 'Interpol', label: 'TLP:RED' },
        }),
      });
      expect(response.body.summary.allowed).toBe(0);
      expect(
        response.body.decisions.find((d: { contact: string | null }) => d.contact === 'Lead Investigator'),
      ).toMatchObject({ code: 'provenance.no-onward-sharing' });
    });

    it("refuses to label derived material below the originator's label", async () => {
      const response = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({
          tlp: 'TLP:GREEN',
          audience: { communities: ['gendarmerie'] },
          provenance: { originator: 'Europol EC3', label: 'TLP:AMBER+STRICT' },
        }),
      });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([
        expect.objectContaining({ field: 'tlp', message: expect.stringMatching(/TLP:AMBER\+STRICT or stricter/) }),
      ]);
    });

    it('accepts ISTLP and lower-case labels and stores their TLP 2.0 form, listing the spellings when refusing one', async () => {
      const published = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({
          tlp: 'amber',
          audience: { organisations: [unitLyon.id] },
          provenance: { originator: 'CERT-EE', label: 'GREEN' },
        }),
      });
      expect(published.status).toBe(201);
      expect(published.body).toMatchObject({
        tlp: 'TLP:AMBER',
        provenance: { originator: 'CERT-EE', label: 'TLP:GREEN' },
      });
      // Routed before the next test counts rows.
      await eventually(
        async () =>
          (await http(broker.url, 'GET', `/items/${published.body.id}/decisions`, { key: broker.analystKey })).body
            .routed,
      );
      const refused = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({ tlp: 'purple', audience: { organisations: [unitLyon.id] } }),
      });
      expect(refused.status).toBe(400);
      expect(refused.body.details).toEqual([
        {
          field: 'tlp',
          message: expect.stringContaining(
            'TLP:RED (TLP 1.0 TLP:WHITE and the ISTLP words WHITE, GREEN, AMBER or RED are accepted too',
          ),
        },
      ]);
    });

    it('refuses a consent without a reference or an audience', async () => {
      const response = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({
          audience: { organisations: [unitLyon.id] },
          provenance: { originator: 'Europol EC3', label: 'TLP:AMBER', consent: { audience: {}, reference: ' ' } },
        }),
      });
      expect(response.status).toBe(400);
      const fields = (response.body.details as { field: string }[]).map((d) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['provenance.consent.audience', 'provenance.consent.reference']));
    });
  });

  describe('caveats and material the broker must not carry', () => {
    it('registers caveats for administrators and lists them for analysts', async () => {
      const created = await http(broker.url, 'POST', '/caveats', {
        key: broker.adminKey,
        json: { name: 'operation-nightfall', description: 'Operation Nightfall team only' },
      });
      expect(created.status).toBe(201);
      const list = await http(broker.url, 'GET', '/caveats', { key: broker.analystKey });
      expect(list.body.map((c: { name: string }) => c.name)).toEqual([
        'judicial-secret',
        'need-to-know',
        'operation-nightfall',
      ]);
      expect(
        (await http(broker.url, 'POST', '/caveats', { key: broker.analystKey, json: { name: 'x', description: 'y' } }))
          .status,
      ).toBe(403);
      expect(
        (
          await http(broker.url, 'POST', '/caveats', {
            key: broker.adminKey,
            json: { name: 'operation-nightfall', description: 'again' },
          })
        ).status,
      ).toBe(409);
    });

    it.each([
      ['a national defence secret caveat', { caveats: ['secret-defense'] }, 'caveats'],
      ['a classification banner in the title', { title: 'TRÈS SECRET - réseau de fraude' }, 'title'],
      ['a classification banner on a line of the body', { body: 'Summary\nSECRET DÉFENSE\nDetails' }, 'body'],
      ['a NATO marking', { summary: 'NATO SECRET', audience: { organisations: [] } }, 'summary'],
      [
        'a banner in lower case with look-alike letters and a zero-width space',
        { title: 's\u0435cret d\u00e9\u200bfense - r\u00e9seau de fraude' },
        'title',
      ],
      [
        'a banner in fullwidth forms on a line of the body',
        { body: 'Summary\n\uff34\uff2f\uff30\u3000\uff33\uff25\uff23\uff32\uff25\uff34\nDetails' },
        'body',
      ],
    ])('refuses %s at intake, storing nothing', async (_name, overrides, field) => {
      const before = await counts();
      const response = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({ audience: { organisations: [unitParis.id] }, ...overrides }),
      });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([
        expect.objectContaining({
          field,
          message: expect.stringMatching(/national defence secret material must not be carried/),
        }),
      ]);
      expect(await counts()).toEqual(before);
    });

    it('refuses a caveat registered for defence secret, unknown caveats and caveats on TLP:CLEAR', async () => {
      for (const name of ['tres-secret', 'nat0-secret', 'nato--secret']) {
        const registered = await http(broker.url, 'POST', '/caveats', {
          key: broker.adminKey,
          json: { name, description: 'no' },
        });
        expect(registered.status, name).toBe(400);
        expect(registered.body.details, name).toEqual([
          { field: 'name', message: expect.stringMatching(/national defence secret material must not be carried/) },
        ]);
      }
      const unknown = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({ caveats: ['judical-secret'], audience: { organisations: [unitParis.id] } }),
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.details[0]).toMatchObject({
        field: 'caveats',
        message: expect.stringContaining('unknown caveat "judical-secret"'),
      });
      const clear = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({ tlp: 'TLP:CLEAR', caveats: ['need-to-know'] }),
      });
      expect(clear.status).toBe(400);
      expect(clear.body.details[0].field).toBe('caveats');
      const accreditation = await http(broker.url, 'PATCH', `/organisations/${unitLyon.id}`, {
        key: broker.adminKey,
        json: { accreditations: ['no-such-caveat'] },
      });
      expect(accreditation.status).toBe(400);
      expect(accreditation.body.details[0].field).toBe('accreditations');
    });

    it('delivers a caveated item to accredited partners only, with its PAP label', async () => {
      const published = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: draft({
          pap: 'PAP:RED',
          caveats: ['judicial-secret'],
          audience: { organisations: [unitParis.id, unitLyon.id] },
        }),
      });
      await eventually(async () => {
        const response = await http(broker.url, 'GET', `/items/${published.body.id}/decisions`, {
          key: broker.analystKey,
        });
        return (
          response.body.routed &&
          response.body.decisions
            .filter((d: { allow: boolean }) => d.allow)
            .every((d: { delivery: { state: string } }) => d.delivery.state === 'delivered')
        );
      });
      const paris = await http(broker.url, 'GET', '/feed', { key: unitParis.feedKey });
      const lyon = await http(broker.url, 'GET', '/feed', { key: unitLyon.feedKey });
      expect(paris.body.entries.find((e: { itemId: string }) => e.itemId === published.body.id)).toMatchObject({
        pap: 'PAP:RED',
        tlp: 'TLP:AMBER',
      });
      expect(lyon.body.entries.find((e: { itemId: string }) => e.itemId === published.body.id)).toBeUndefined();
    });
  });
});

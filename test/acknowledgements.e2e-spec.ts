import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';
import { publishItem, waitForRouting } from './support/items';
import { registerPartner, TestPartner } from './support/partners';

const SATURDAY_NIGHT = '2026-12-05T23:40:00+01:00';

/** What a partner reads in its feed entry once decrypted. */
async function readEntry(broker: TestBroker, partner: TestPartner, deliveryId: string) {
  const entry = await http(broker.url, 'GET', `/feed/${deliveryId}`, { key: partner.feedKey });
  expect(entry.status).toBe(200);
  const { data } = await openpgp.decrypt({
    message: await openpgp.readMessage({ armoredMessage: entry.body.message }),
    decryptionKeys: partner.privateKey,
  });
  return JSON.parse(String(data));
}

/**
 * A recipient of an urgent item acknowledges it through its feed API or the one-time link inside
 * the encrypted message; the team sees who did, when and how, and who is still awaited.
 */
describe('acknowledgements of urgent items', () => {
  let broker: TestBroker;
  let ec3: TestPartner;
  let interpol: TestPartner;
  let alertId: string;
  let deliveryOf: Map<string, string>;

  const acknowledgements = async (itemId: string) => {
    const response = await http(broker.url, 'GET', `/items/${itemId}/acknowledgements`, { key: broker.analystKey });
    expect(response.status).toBe(200);
    return response.body;
  };

  beforeAll(async () => {
    broker = await startBroker({ env: { CLOCK_START: SATURDAY_NIGHT } });
    ec3 = await registerPartner(broker.url, broker.adminKey, { name: 'Europol EC3', country: 'NL', relation: 'peer' });
    interpol = await registerPartner(broker.url, broker.adminKey, {
      name: 'Interpol IGCI',
      country: 'SG',
      relation: 'peer',
    });
    const alert = await publishItem(broker.url, broker.analystKey, {
      type: 'alert',
      title: 'Imminent takedown of the Black Lotus botnet',
      tlp: 'TLP:AMBER',
      severity: 'critical',
      audience: { organisations: [ec3.id, interpol.id] },
    });
    alertId = alert.id;
    const decisions = await waitForRouting(broker.url, broker.analystKey, alertId);
    deliveryOf = new Map(decisions.filter((d) => d.allow).map((d) => [d.organisationId, d.delivery!.id]));
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('asks every organisation the urgent item reached, with the deadline of its severity', async () => {
    const view = await acknowledgements(alertId);
    expect(view).toMatchObject({ itemId: alertId, acknowledged: 0, waiting: 2 });
    for (const recipient of view.recipients) {
      expect(recipient).toMatchObject({ acknowledgedAt: null, escalationStep: 0, deliveredAt: expect.any(String) });
      // Critical: 15 minutes by default (ACK_DEADLINES).
      expect(Date.parse(recipient.nextStepAt) - Date.parse(recipient.requestedAt)).toBe(15 * 60_000);
      expect(recipient.waitingSeconds).toBeGreaterThanOrEqual(0);
    }
    const entry = await readEntry(broker, ec3, deliveryOf.get(ec3.id)!);
    expect(entry.acknowledge).toMatchObject({ method: 'POST', by: view.recipients[0].nextStepAt });
    expect(entry.acknowledge.url).toMatch(/^https:\/\/broker\.test\.example\/ack\/[0-9a-f-]{36}\.[\w-]{43}$/);
  });

  it("records an acknowledgement through the partner's feed API, once, and audits it", async () => {
    const deliveryId = deliveryOf.get(ec3.id)!;
    const stranger = await http(broker.url, 'POST', `/feed/${deliveryId}/ack`, { key: interpol.feedKey });
    expect(stranger.status).toBe(404);

    const first = await http(broker.url, 'POST', `/feed/${deliveryId}/ack`, { key: ec3.feedKey });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      itemId: alertId,
      organisationId: ec3.id,
      via: 'feed',
      acknowledgedBy: 'Europol EC3 (its feed channel)',
      acknowledgedAt: expect.stringMatching(/^2026-12-05T22:4/),
      already: false,
    });
    const again = await http(broker.url, 'POST', `/feed/${deliveryId}/ack`, { key: ec3.feedKey });
    expect(again.body).toMatchObject({ already: true, acknowledgedAt: first.body.acknowledgedAt });

    const view = await acknowledgements(alertId);
    expect(view).toMatchObject({ acknowledged: 1, waiting: 1 });
    expect(view.recipients.find((r: { organisationId: string }) => r.organisationId === ec3.id)).toMatchObject({
      acknowledgedBy: 'Europol EC3 (its feed channel)',
      via: 'feed',
      waitingSeconds: null,
      nextStepAt: null,
    });
    const audit = await broker.db.query(
      `SELECT details FROM audit_events WHERE action = 'acknowledgement.recorded' AND subject_id = $1`,
      [alertId],
    );
    expect(audit).toEqual([{ details: expect.objectContaining({ organisationId: ec3.id, via: 'feed' }) }]);
  });

  it('records an acknowledgement through the one-time link, only once its page is confirmed', async () => {
    const entry = await readEntry(broker, interpol, deliveryOf.get(interpol.id)!);
    const path = new URL(entry.acknowledge.url).pathname;

    const page = await http(broker.url, 'GET', path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(String(page.body)).toContain('<form method="post">');
    expect(String(page.body)).toContain(`TLP:AMBER alert ${alertId}`);
    expect(String(page.body)).not.toContain('Black Lotus');
    // Opening the link records nothing: mail scanners open links too.
    expect((await acknowledgements(alertId)).waiting).toBe(1);

    const confirmed = await http(broker.url, 'POST', path);
    expect(confirmed.status).toBe(200);
    expect(String(confirmed.body)).toContain('Acknowledged, thank you');
    const view = await acknowledgements(alertId);
    expect(view).toMatchObject({ acknowledged: 2, waiting: 0 });
    expect(view.recipients.find((r: { organisationId: string }) => r.organisationId === interpol.id)).toMatchObject({
      via: 'link',
      acknowledgedBy: 'Interpol IGCI (its feed channel)',
    });
    const reopened = await http(broker.url, 'GET', path);
    expect(String(reopened.body)).toContain('Already acknowledged');
  });

  it('refuses a link the broker did not make, and asks nothing of what is not urgent', async () => {
    const path = new URL((await readEntry(broker, ec3, deliveryOf.get(ec3.id)!)).acknowledge.url).pathname;
    const forged = path.slice(0, -4) + (path.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await http(broker.url, 'POST', forged)).status).toBe(404);
    expect((await http(broker.url, 'GET', '/ack/not-a-token')).status).toBe(404);

    const advisory = await publishItem(broker.url, broker.analystKey, {
      type: 'advisory',
      title: 'Routine advisory',
      tlp: 'TLP:AMBER',
      severity: 'low',
      audience: { organisations: [ec3.id] },
    });
    const [decision] = (await waitForRouting(broker.url, broker.analystKey, advisory.id)).filter((d) => d.allow);
    const refused = await http(broker.url, 'POST', `/feed/${decision.delivery!.id}/ack`, { key: ec3.feedKey });
    expect(refused.status).toBe(404);
    expect(refused.body.message).toContain('asks for no acknowledgement');
    expect((await readEntry(broker, ec3, decision.delivery!.id)).acknowledge).toBeUndefined();
    expect(await acknowledgements(advisory.id)).toMatchObject({ acknowledged: 0, waiting: 0, recipients: [] });
  });
});

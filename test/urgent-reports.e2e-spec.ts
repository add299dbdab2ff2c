import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { registerPartner, TestPartner } from './support/partners';
import { Peer, startWebhookPeer } from './support/peers';

const INCIDENT = {
  kind: 'investigation-incident',
  title: 'Extortion of a hospital under way',
  tlp: 'amber',
  caseReference: 'PJ-CYBER-2026-0077',
  investigatingUnit: 'Section de recherches de Lyon',
  incidentAt: '2026-12-05T22:50:00+01:00',
  victimType: 'public-body',
  observables: ['198.51.100[.]7'],
  description: 'The hospital received a ransom note with a deadline at dawn.',
  urgency: 'high',
};

/** An urgent report arriving on a Saturday night, outside the team's hours, tells the team's duty officer. */
describe('urgent reports outside the team’s hours', () => {
  let broker: TestBroker;
  let hook: Peer;
  const notices: Record<string, unknown>[] = [];
  let unit: TestPartner;

  beforeAll(async () => {
    hook = await startWebhookPeer((_request, body, response) => {
      notices.push(JSON.parse(body.toString()));
      response.writeHead(200).end();
    });
    broker = await startBroker({
      env: {
        CLOCK_START: '2026-12-05T23:40:00+01:00',
        WEBHOOK_ALLOW_LIST: '127.0.0.1',
        ESCALATION_POLL_MS: '200',
        DUTY_OFFICER_URL: `${hook.url}/duty-officer`,
        DUTY_OFFICER_SECRET: 'duty officer hook secret',
      },
    });
    unit = await registerPartner(broker.url, broker.adminKey, { name: 'SR Lyon', relation: 'constituent' });
  });

  afterAll(async () => {
    await broker?.close();
    await hook?.close();
  });

  it('tells the duty officer of a high-urgency incident, without its content, once', async () => {
    const sent = await http(broker.url, 'POST', '/reports', { key: unit.feedKey, json: INCIDENT });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const notice = await eventually(async () => notices.find((n) => n.reference === sent.body.reference), 20_000);
    expect(notice).toMatchObject({
      format: 'tlp-broker/duty-officer@1',
      kind: 'urgent-report',
      type: 'investigation-incident',
      urgency: 'high',
      organisation: 'SR Lyon',
      text: `Urgent report ${sent.body.reference} received outside the team's hours from SR Lyon`,
    });
    expect(JSON.stringify(notice)).not.toMatch(/hospital|ransom|198\.51/);
    const audit = await broker.db.query(
      `SELECT details FROM audit_events WHERE action = 'escalation.duty-officer' AND subject_id = $1`,
      [sent.body.id],
    );
    expect(audit).toEqual([
      {
        details: expect.objectContaining({ reference: sent.body.reference, team: expect.stringContaining('Saturday') }),
      },
    ]);
  });

  it('tells no one of a report of normal urgency', async () => {
    const sent = await http(broker.url, 'POST', '/reports', {
      key: unit.feedKey,
      json: { ...INCIDENT, title: 'Old phishing kit found', urgency: 'normal' },
    });
    expect(sent.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(notices.filter((n) => n.reference === sent.body.reference)).toEqual([]);
    expect(notices).toHaveLength(1);
  });
});

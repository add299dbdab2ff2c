import { simpleParser } from 'mailparser';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { publishItem, waitForRouting } from './support/items';
import { registerContact, registerPartner, TestContact, TestPartner } from './support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer, startWebhookPeer } from './support/peers';

/** Saturday 5 December 2026, 23:40 in Paris and The Hague: the broker's clock starts there. */
const SATURDAY_NIGHT = '2026-12-05T23:40:00+01:00';
const AMSTERDAM_OFFICE = {
  timeZone: 'Europe/Amsterdam',
  week: Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => [day, [{ from: '08:30', to: '17:30' }]]),
  ),
  holidays: { country: 'NL' },
};
const ROUND_THE_CLOCK = {
  timeZone: 'Asia/Singapore',
  week: Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [
      day,
      [{ from: '00:00', to: '24:00' }],
    ]),
  ),
  holidays: null,
};

interface Page {
  readonly body: Record<string, unknown>;
  readonly raw: string;
}

/**
 * An urgent alert published on a Saturday night reaches a partner's duty contact and pages its
 * gateway without content; in business hours, or for what is not urgent, on-call channels rest.
 */
describe('on-call channels', () => {
  let broker: TestBroker;
  let mailPeer: Peer;
  let pager: Peer;
  const mails: ReceivedMail[] = [];
  const pages: Page[] = [];
  let ec3: TestPartner;
  let duty: TestContact;
  let interpol: TestPartner;

  const onCall = (organisationId: string, json: Record<string, unknown>) =>
    http(broker.url, 'POST', `/organisations/${organisationId}/on-call`, { key: broker.adminKey, json });

  beforeAll(async () => {
    mailPeer = await startMailPeer(mails);
    pager = await startWebhookPeer((_request, body, response) => {
      pages.push({ body: JSON.parse(body.toString()), raw: body.toString() });
      response.writeHead(200).end();
    });
    broker = await startBroker({ env: { ...pushSettings(mailPeer), CLOCK_START: SATURDAY_NIGHT } });
    ec3 = await registerPartner(broker.url, broker.adminKey, { name: 'Europol EC3', country: 'NL', relation: 'peer' });
    interpol = await registerPartner(broker.url, broker.adminKey, {
      name: 'Interpol IGCI',
      country: 'SG',
      relation: 'peer',
    });
    duty = await registerContact(broker.url, broker.adminKey, ec3.id, 'Jan de Vries');
    for (const [id, hours] of [
      [ec3.id, AMSTERDAM_OFFICE],
      [interpol.id, ROUND_THE_CLOCK],
    ] as const) {
      const put = await http(broker.url, 'PUT', `/organisations/${id}/hours`, { key: broker.adminKey, json: hours });
      expect(put.status).toBe(200);
    }
    const email = await onCall(ec3.id, { kind: 'email', contactId: duty.id, address: 'duty@ec3.example' });
    expect(email.status).toBe(201);
    expect(email.body).toMatchObject({ kind: 'email', onCall: true, personal: true });
    const page = await onCall(ec3.id, { kind: 'pager', address: `${pager.url}/page` });
    expect(page.status).toBe(201);
    expect(page.body).toMatchObject({ kind: 'pager', onCall: true, personal: false, secret: expect.any(String) });
    const interpolPager = await onCall(interpol.id, { kind: 'pager', address: `${pager.url}/interpol` });
    expect(interpolPager.status).toBe(201);
  });

  afterAll(async () => {
    await broker?.close();
    await mailPeer?.close();
    await pager?.close();
  });

  it('takes a critical alert on Saturday night to the duty contact, encrypted, and pages the gateway without content', async () => {
    const alert = await publishItem(broker.url, broker.analystKey, {
      type: 'alert',
      title: 'Imminent takedown of the Black Lotus botnet',
      tlp: 'TLP:AMBER',
      severity: 'critical',
      audience: { organisations: [ec3.id] },
    });
    const decisions = await waitForRouting(broker.url, broker.analystKey, alert.id);
    const ofEc3 = decisions.filter((decision) => decision.organisationId === ec3.id);
    const byKind = (predicate: (d: (typeof ofEc3)[number]) => boolean) => ofEc3.find(predicate)!;
    const onCallMail = byKind(
      (d) => d.contactId === duty.id && d.channelId !== duty.channelId && d.code !== 'pager.notice',
    );
    expect(onCallMail).toMatchObject({ allow: true, code: 'tlp.amber.named' });
    expect(onCallMail.reason).toContain('On call: Europol EC3 is not at work (outside business hours: Saturday 23:40');
    expect(byKind((d) => d.code === 'pager.notice').allow).toBe(true);
    // The duty contact's ordinary personal feed still carries only what names the person.
    expect(byKind((d) => d.channelId === duty.channelId)).toMatchObject({
      allow: false,
      code: 'channel.personal.not-named',
    });

    const mail = await eventually(async () => mails.find((m) => m.to.includes('duty@ec3.example')), 20_000);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).not.toContain('Black Lotus');
    const encrypted = parsed.attachments.find((part) => part.contentType === 'application/octet-stream')!;
    const { data } = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: encrypted.content.toString() }),
      decryptionKeys: duty.privateKey,
    });
    expect(String(data)).toContain('Imminent takedown of the Black Lotus botnet');

    const page = await eventually(async () => pages.find((p) => p.body.reference === alert.id), 20_000);
    expect(Object.keys(page.body).sort()).toEqual([
      'deliveryId',
      'format',
      'reference',
      'text',
      'tlp',
      'type',
      'version',
    ]);
    expect(page.body).toMatchObject({
      format: 'tlp-broker/page@1',
      tlp: 'TLP:AMBER',
      type: 'alert',
      text: `TLP:AMBER alert ${alert.id}: awaiting acknowledgement on your secure channel`,
    });
    expect(page.raw).not.toMatch(/Black Lotus|botnet|BEGIN PGP/);
  });

  it('leaves on-call channels alone for what is not urgent, and for a partner at work', async () => {
    const advisory = await publishItem(broker.url, broker.analystKey, {
      type: 'advisory',
      title: 'Patch your VPN appliances',
      tlp: 'TLP:GREEN',
      severity: 'medium',
      audience: { organisations: [ec3.id, interpol.id] },
    });
    const decisions = await waitForRouting(broker.url, broker.analystKey, advisory.id);
    const onCallOnes = decisions.filter((d) => d.code.startsWith('oncall.') || d.code.startsWith('pager.'));
    expect(onCallOnes.map((d) => d.code).sort()).toEqual([
      'oncall.not-urgent',
      'oncall.not-urgent',
      'oncall.not-urgent',
    ]);

    const alert = await publishItem(broker.url, broker.analystKey, {
      type: 'alert',
      title: 'Ransomware affiliate active tonight',
      tlp: 'TLP:GREEN',
      severity: 'high',
      audience: { organisations: [interpol.id] },
    });
    const forInterpol = (await waitForRouting(broker.url, broker.analystKey, alert.id)).filter(
      (d) => d.organisationId === interpol.id,
    );
    const pagerDecision = forInterpol.find((d) => d.code.startsWith('oncall.') || d.code.startsWith('pager.'))!;
    expect(pagerDecision).toMatchObject({ allow: false, code: 'oncall.not-needed' });
    expect(pagerDecision.reason).toContain(
      'Interpol IGCI is at work (in business hours: Sunday 06:40 in Asia/Singapore',
    );
    expect(pages.filter((p) => p.body.reference === alert.id)).toEqual([]);
  });

  it('takes TLP:RED to a duty contact only when the person is named', async () => {
    const analyst = await registerContact(broker.url, broker.adminKey, ec3.id, 'Eva Jansen');
    const toAnalyst = await publishItem(broker.url, broker.analystKey, {
      type: 'alert',
      title: 'Undercover operation compromised',
      tlp: 'TLP:RED',
      severity: 'critical',
      audience: { contacts: [analyst.id] },
    });
    const forAnalyst = (await waitForRouting(broker.url, broker.analystKey, toAnalyst.id)).filter(
      (d) => d.organisationId === ec3.id,
    );
    const dutyMail = forAnalyst.find((d) => d.contactId === duty.id && d.channelId !== duty.channelId)!;
    expect(dutyMail).toMatchObject({ allow: false, code: 'channel.personal.not-named' });
    expect(dutyMail.reason).toContain("reaches a duty contact's on-call channel only when that person is named");
    // Eva's own feed carries it, so the gateway is paged to look there.
    expect(
      forAnalyst
        .filter((d) => d.allow)
        .map((d) => d.code)
        .sort(),
    ).toEqual(['pager.notice', 'tlp.red.named-contact']);

    const toDuty = await publishItem(broker.url, broker.analystKey, {
      type: 'alert',
      title: 'Undercover operation compromised, duty informed',
      tlp: 'TLP:RED',
      severity: 'critical',
      audience: { contacts: [duty.id] },
    });
    const forDuty = (await waitForRouting(broker.url, broker.analystKey, toDuty.id)).filter(
      (d) => d.organisationId === ec3.id,
    );
    expect(
      forDuty
        .filter((d) => d.allow)
        .map((d) => d.code)
        .sort(),
    ).toEqual(['pager.notice', 'tlp.red.named-contact', 'tlp.red.named-contact']);
  });

  it('recalls nothing from on-call channels when an update is no longer urgent, and never pages a recall', async () => {
    const spec = {
      type: 'advisory' as const,
      title: 'Exploited zero-day in border routers',
      tlp: 'TLP:AMBER',
      audience: { organisations: [ec3.id] },
    };
    const v1 = await publishItem(broker.url, broker.analystKey, { ...spec, severity: 'critical' });
    const first = await waitForRouting(broker.url, broker.analystKey, v1.id);
    expect(first.filter((d) => d.allow).map((d) => d.code)).toContain('pager.notice');

    const updated = await http(broker.url, 'PUT', `/items/${v1.id}`, {
      key: broker.analystKey,
      json: { ...spec, body: 'A patch is out.', severity: 'medium' },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    const second = await waitForRouting(broker.url, broker.analystKey, v1.id);
    expect(
      second
        .filter((d) => !d.allow && d.organisationId === ec3.id)
        .map((d) => d.code)
        .sort(),
    ).toEqual(['channel.personal.not-named', 'channel.personal.not-named', 'oncall.not-urgent', 'oncall.not-urgent']);
    const recalls = await http(broker.url, 'GET', `/deliveries?item=${v1.id}&kind=recall`, { key: broker.analystKey });
    expect(recalls.body).toEqual([]);
  });

  it('says in the preview which on-call channels a draft would reach, and why', async () => {
    const preview = await http(broker.url, 'POST', '/items/preview', {
      key: broker.analystKey,
      json: {
        type: 'alert',
        title: 'Preview only',
        body: 'x',
        tlp: 'TLP:AMBER',
        severity: 'critical',
        audience: { organisations: [ec3.id, interpol.id] },
      },
    });
    expect(preview.status).toBe(200);
    const codes = preview.body.decisions.map((d: { code: string }) => d.code);
    expect(codes).toContain('pager.notice');
    expect(codes).toContain('oncall.not-needed');
    expect(preview.body.decisions.find((d: { code: string }) => d.code === 'pager.notice').reason).toContain(
      'Saturday 23:40',
    );
  });

  it('refuses an on-call channel without its duty contact, or with an address it may not call, naming the field', async () => {
    const noContact = await onCall(ec3.id, { kind: 'email', address: 'someone@ec3.example' });
    expect(noContact.status).toBe(400);
    expect(noContact.body.message).toContain('contactId');
    const stranger = await onCall(ec3.id, { kind: 'feed', contactId: '00000000-0000-4000-8000-000000000000' });
    expect(stranger.status).toBe(400);
    expect(stranger.body.message).toContain('contactId');
    const outside = await onCall(ec3.id, { kind: 'pager', address: 'https://203.0.113.9/page' });
    expect(outside.status).toBe(400);
    expect(outside.body.message).toContain('address');
    const byAnalyst = await http(broker.url, 'POST', `/organisations/${ec3.id}/on-call`, {
      key: broker.analystKey,
      json: { kind: 'pager', address: `${pager.url}/x` },
    });
    expect(byAnalyst.status).toBe(403);
  });
});

import { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysUnder } from '@tlp-broker/queue';
import { startBroker, TestBroker } from './support/broker';
import { TEST_REDIS_URL } from './support/databases';
import { eventually, http } from './support/http';
import { publishItem } from './support/items';
import { registerContact, registerPartner, TestContact, TestPartner } from './support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer, startWebhookPeer } from './support/peers';
import { builtEntry, startProcess, stopProcess } from './support/processes';

/** Never at work: every urgent item reaches its on-call channels, whatever the day. */
const NEVER_AT_WORK = { timeZone: 'Europe/Amsterdam', week: {}, holidays: null };

interface Call {
  readonly path: string;
  readonly idempotencyKey: string;
  readonly body: Record<string, unknown>;
}

/**
 * Unacknowledged urgent items escalate on deadlines measured in seconds: re-sent to the partner's
 * on-call channels and its paging hook, then the team's duty officer is told. Each step is taken
 * once, by the built dispatcher, killed between the two steps while Redis loses everything.
 */
describe('escalation of unacknowledged urgent items', () => {
  let broker: TestBroker;
  let mailPeer: Peer;
  let hooks: Peer;
  const mails: ReceivedMail[] = [];
  const calls: Call[] = [];
  const children: ChildProcess[] = [];
  let ec3: TestPartner;
  let duty: TestContact;

  const dispatcher = () => {
    const child = startProcess('dispatcher', { ...broker.env, LOG_LEVEL: 'error', LOG_FORMAT: 'text' });
    children.push(child);
    return child;
  };
  const audit = async (itemId: string): Promise<string[]> =>
    (
      (await broker.db.query(
        `SELECT action FROM audit_events WHERE subject_id = $1 AND action LIKE 'escalation.%' ORDER BY seq`,
        [itemId],
      )) as { action: string }[]
    ).map((row) => row.action);
  const alert = (title: string) =>
    publishItem(broker.url, broker.analystKey, {
      type: 'alert',
      title,
      tlp: 'TLP:AMBER',
      severity: 'critical',
      audience: { organisations: [ec3.id] },
    });
  const pagesFor = (itemId: string) => calls.filter((call) => call.path === '/page' && call.body.reference === itemId);
  const noticesFor = (itemId: string) =>
    calls.filter((call) => call.path === '/duty-officer' && call.body.reference === itemId);
  const distinct = (list: readonly Call[]) => new Set(list.map((call) => call.idempotencyKey)).size;

  beforeAll(async () => {
    builtEntry('dispatcher');
    mailPeer = await startMailPeer(mails);
    hooks = await startWebhookPeer((request, body, response) => {
      calls.push({
        path: request.url ?? '',
        idempotencyKey: String(request.headers['idempotency-key']),
        body: JSON.parse(body.toString()),
      });
      response.writeHead(200).end();
    });
    broker = await startBroker({
      dispatcher: false,
      env: {
        ...pushSettings(mailPeer),
        ACK_DEADLINES: 'other=3s',
        DUTY_OFFICER_AFTER: 'other=7s',
        ESCALATION_POLL_MS: '200',
        DUTY_OFFICER_URL: `${hooks.url}/duty-officer`,
        DUTY_OFFICER_SECRET: 'duty officer hook secret',
        RECONCILE_INTERVAL_MS: '500',
        RECONCILE_AFTER_MS: '1000',
      },
    });
    ec3 = await registerPartner(broker.url, broker.adminKey, { name: 'Europol EC3', country: 'NL', relation: 'peer' });
    duty = await registerContact(broker.url, broker.adminKey, ec3.id, 'Jan de Vries');
    const hours = await http(broker.url, 'PUT', `/organisations/${ec3.id}/hours`, {
      key: broker.adminKey,
      json: NEVER_AT_WORK,
    });
    expect(hours.status).toBe(200);
    for (const json of [
      { kind: 'email', contactId: duty.id, address: 'duty@ec3.example' },
      { kind: 'pager', address: `${hooks.url}/page` },
    ]) {
      const added = await http(broker.url, 'POST', `/organisations/${ec3.id}/on-call`, { key: broker.adminKey, json });
      expect(added.status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(children.map((child) => stopProcess(child, 'SIGKILL')));
    await broker?.close();
    await mailPeer?.close();
    await hooks?.close();
  });

  it('escalates twice, loses no step and repeats none when the dispatcher is killed between the steps', async () => {
    const first = dispatcher();
    const unanswered = await alert('Imminent takedown: no one answers');
    const answeredBetween = await alert('Imminent takedown: answered after the reminder');
    const answeredAtOnce = await alert('Imminent takedown: answered at once');

    // At publication: the item to the team feed and the duty contact, and a page.
    await eventually(async () => pagesFor(answeredAtOnce.id).length >= 1, 30_000);
    const [atOnce] = await broker.db.query(
      `SELECT d.id FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
        WHERE v.item_id = $1 AND d.channel_id = $2`,
      [answeredAtOnce.id, ec3.channelId],
    );
    const acknowledged = await http(broker.url, 'POST', `/feed/${atOnce.id}/ack`, { key: ec3.feedKey });
    expect(acknowledged.status).toBe(200);

    // Step 1 after 3 s: the reminder to the duty contact, and a second page.
    await eventually(async () => (await audit(answeredBetween.id)).includes('escalation.on-call'), 30_000);
    const [between] = await broker.db.query(
      `SELECT d.id FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
        WHERE v.item_id = $1 AND d.channel_id = $2`,
      [answeredBetween.id, ec3.channelId],
    );
    expect((await http(broker.url, 'POST', `/feed/${between.id}/ack`, { key: ec3.feedKey })).status).toBe(200);
    await eventually(async () => (await audit(unanswered.id)).includes('escalation.on-call'), 30_000);

    // Killed between the two steps; Redis loses every job meanwhile.
    await stopProcess(first, 'SIGKILL');
    await deleteKeysUnder(TEST_REDIS_URL, broker.redisPrefix);
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    dispatcher();

    await eventually(async () => noticesFor(unanswered.id).length >= 1, 30_000);
    await eventually(async () => pagesFor(unanswered.id).length >= 2, 30_000);
    const remindersDelivered = async (itemId: string) =>
      (
        (await broker.db.query(
          `SELECT d.state FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
            WHERE v.item_id = $1 AND d.kind = 'reminder'`,
          [itemId],
        )) as { state: string }[]
      ).map((row) => row.state);
    await eventually(async () => {
      const states = await remindersDelivered(unanswered.id);
      return states.length === 2 && states.every((state) => state === 'delivered' || state === 'sent');
    }, 30_000);
    // Wait past another poll and deadline: nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect(await audit(unanswered.id)).toEqual(['escalation.on-call', 'escalation.duty-officer']);
    expect(distinct(noticesFor(unanswered.id))).toBe(1);
    expect(distinct(pagesFor(unanswered.id))).toBe(2);
    expect(noticesFor(unanswered.id)[0]!.body).toMatchObject({
      format: 'tlp-broker/duty-officer@1',
      reference: unanswered.id,
      organisation: 'Europol EC3',
      tlp: 'TLP:AMBER',
      type: 'alert',
    });
    expect(JSON.stringify(noticesFor(unanswered.id)[0]!.body)).not.toContain('Imminent takedown');
    const dutyMails = mails.filter((mail) => mail.to.includes('duty@ec3.example'));
    expect(dutyMails.length).toBeGreaterThanOrEqual(2 * 3 - 1);

    // Acknowledged after the reminder: no duty officer; acknowledged at once: no step at all.
    expect(await audit(answeredBetween.id)).toEqual(['escalation.on-call']);
    expect(noticesFor(answeredBetween.id)).toEqual([]);
    expect(await audit(answeredAtOnce.id)).toEqual([]);
    expect(await remindersDelivered(answeredAtOnce.id)).toEqual([]);
    expect(distinct(pagesFor(answeredAtOnce.id))).toBe(1);

    const view = await http(broker.url, 'GET', `/items/${unanswered.id}/acknowledgements`, { key: broker.analystKey });
    expect(view.body.recipients).toEqual([
      expect.objectContaining({ organisationId: ec3.id, escalationStep: 2, acknowledgedAt: null, nextStepAt: null }),
    ]);
    const decisions = await http(broker.url, 'GET', `/items/${unanswered.id}/decisions`, { key: broker.analystKey });
    const escalation = decisions.body.decisions.filter((d: { purpose: string }) => d.purpose === 'escalation');
    expect(escalation.map((d: { code: string }) => d.code).sort()).toEqual(['pager.notice', 'tlp.amber.named']);
    expect(escalation.find((d: { code: string }) => d.code === 'tlp.amber.named').reason).toContain(
      'no one at Europol EC3 acknowledged it within 3 seconds (escalation)',
    );
  }, 120_000);
});

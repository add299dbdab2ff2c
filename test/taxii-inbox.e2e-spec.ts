import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';
import { registerContact, registerPartner, TestPartner } from './support/partners';
import { stixErrors } from './support/stix-schemas';
import {
  CREATED,
  indicator,
  report,
  Stix,
  TAXII,
  TaxiiClient,
  TLP_AMBER,
  TLP_EXTENSION,
  TLP_GREEN,
  TLP_RED,
} from './support/taxii-client';

const MAX_BYTES = 64 * 1024;

interface SubmissionRow {
  id: string;
  source: string;
  status: string;
  sender_proof: string;
  organisation_id: string;
  channel_id: string;
  sender_contact_id: string | null;
  tlp: string | null;
  pap: string | null;
  flags: string[];
  title: string | null;
  content: string | null;
  indicators: { type: string; value: string }[];
  reason: string | null;
  reference: string | null;
  external_id: string;
}

describe('TAXII 2.1 inbox', () => {
  let broker: TestBroker;
  let sender: TestPartner;
  let other: TestPartner;
  let client: TaxiiClient;

  const submissionOf = async (statusId: string): Promise<SubmissionRow> => {
    const [row] = await broker.db.query(
      `SELECT s.* FROM submissions s JOIN taxii_inbox_statuses t ON t.submission_id = s.id WHERE t.id = $1`,
      [statusId],
    );
    return row as SubmissionRow;
  };

  const accepted = async (objects: unknown[], as = client) => {
    const answer = await as.add(objects);
    expect(answer.status).toBe(202);
    expect(answer.headers.get('content-type')).toBe(TAXII);
    return answer.body;
  };

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: false, env: { SUBMISSION_MAX_BYTES: String(MAX_BYTES) } });
    [sender, other] = await Promise.all([
      registerPartner(broker.url, broker.adminKey, {
        name: 'Sender CERT',
        relation: 'peer',
        communities: ['eu-csirt'],
      }),
      registerPartner(broker.url, broker.adminKey, {
        name: 'Other CSIRT',
        relation: 'peer',
        communities: ['eu-csirt'],
      }),
    ]);
    client = new TaxiiClient(broker.url, sender.feedKey);
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
  });

  it('is found by a TAXII client: discovery, API root with its size limit, a write-only inbox beside the read collection', async () => {
    const root = await client.apiRoot();
    const info = await client.get(root);
    expect(info.body).toMatchObject({ versions: [TAXII], max_content_length: MAX_BYTES });
    const collections = await client.collections();
    expect(collections).toEqual([
      expect.objectContaining({ id: sender.channelId, can_read: true, can_write: false }),
      expect.objectContaining({ title: 'Inbox for Sender CERT', can_read: false, can_write: true }),
    ]);
    const inbox = await client.get(await client.inbox());
    expect(inbox.body).toEqual(collections[1]);
    const read = await client.get(`${await client.inbox()}objects/`);
    expect(read.status).toBe(403);
    expect(read.body).toMatchObject({ title: 'Write-only collection', http_status: '403' });
  });

  it('takes the valid objects of a real bundle, lists the invalid one, and keeps the status for the sender', async () => {
    const domain = indicator('invoice-portal.example', [TLP_AMBER]);
    const url = indicator('login-bank.example', [TLP_AMBER]);
    const bad = { ...indicator('broken.example', [TLP_AMBER]), valid_from: 'tomorrow' };
    const story = report('Invoice phishing wave against municipalities', [domain, url], [TLP_GREEN]);
    const objects = [TLP_EXTENSION, TLP_AMBER, TLP_GREEN, story, domain, bad, url];
    for (const object of objects.filter((object) => object !== bad)) expect(stixErrors(object)).toEqual([]);
    const status = await accepted(objects);
    expect(status).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'complete',
      request_timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      total_count: 7,
      success_count: 6,
      failure_count: 1,
      pending_count: 0,
      failures: [{ id: bad.id, version: CREATED, message: expect.stringContaining('valid_from') }],
    });
    expect(status.successes).toContainEqual({ id: story.id, version: CREATED });
    expect((await client.status(status.id)).body).toEqual(status);

    const submission = await submissionOf(status.id);
    expect(submission).toMatchObject({
      source: 'taxii',
      status: 'verified',
      sender_proof: 'credential',
      organisation_id: sender.id,
      channel_id: sender.channelId,
      tlp: 'TLP:AMBER',
      flags: [],
      title: 'Invoice phishing wave against municipalities',
      external_id: status.id,
      reference: expect.stringMatching(/^PJ-\d{4}-\d{6}$/),
    });
    expect((JSON.parse(submission.content!) as Stix[]).map((object) => object.id)).not.toContain(bad.id);
    expect(submission.indicators).toEqual(
      expect.arrayContaining([
        { type: 'domain', value: 'invoice-portal.example' },
        { type: 'domain', value: 'login-bank.example' },
      ]),
    );
    const [audit] = await broker.db.query(
      `SELECT actor, details FROM audit_events WHERE action = 'submission.received' AND subject_id = $1`,
      [submission.id],
    );
    expect(audit).toMatchObject({
      actor: `channel:${sender.channelId}`,
      details: { source: 'taxii', tlp: 'TLP:AMBER' },
    });

    // The same envelope again: a status of its own, the same one submission.
    const again = await accepted(objects);
    expect(again.id).not.toBe(status.id);
    expect(again.success_count).toBe(6);
    expect((await submissionOf(again.id)).id).toBe(submission.id);
    const [{ count }] = await broker.db.query(
      `SELECT count(*)::int AS count FROM submissions WHERE source = 'taxii' AND title = $1`,
      [submission.title],
    );
    expect(count).toBe(1);
  });

  it('labels a post TLP:RED when one object is RED, the unmarked ones included', async () => {
    const red = indicator('ransom-negotiator.example', [TLP_RED]);
    const status = await accepted([TLP_RED, red, indicator('unmarked-one.example')]);
    expect(status.success_count).toBe(3);
    expect(await submissionOf(status.id)).toMatchObject({ tlp: 'TLP:RED', flags: [] });
  });

  it('holds a post with no marking at all as TLP:AMBER, flagged label-assumed', async () => {
    const status = await accepted([indicator('no-label-a.example'), indicator('no-label-b.example')]);
    expect(await submissionOf(status.id)).toMatchObject({ tlp: 'TLP:AMBER', flags: ['label-assumed'] });
  });

  it('records a post with no valid object as rejected, keeping only the reasons', async () => {
    const { pattern_type: _dropped, ...noType } = indicator('a.example');
    void _dropped;
    const status = await accepted([noType, { ...indicator('b.example'), id: 'indicator--not-a-uuid' }]);
    expect(status).toMatchObject({ total_count: 2, success_count: 0, successes: [], failure_count: 2 });
    expect(status.failures[0].message).toBe("must have required property 'pattern_type'");
    const submission = await submissionOf(status.id);
    expect(submission).toMatchObject({ status: 'rejected', reason: 'invalid-stix', content: null, reference: null });
    const [audit] = await broker.db.query(`SELECT action FROM audit_events WHERE subject_id = $1`, [submission.id]);
    expect(audit.action).toBe('submission.rejected');
  });

  it('takes a post from a contact’s personal channel as sent by that contact', async () => {
    const contact = await registerContact(broker.url, broker.adminKey, sender.id, 'Dana Analyst');
    const status = await accepted([indicator('from-dana.example')], new TaxiiClient(broker.url, contact.feedKey));
    expect(await submissionOf(status.id)).toMatchObject({
      organisation_id: sender.id,
      channel_id: contact.channelId,
      sender_contact_id: contact.id,
    });
  });

  it('keeps each organisation to its own inbox and statuses; a credential without submit sees no inbox and cannot post', async () => {
    const status = await accepted([indicator('private.example')]);
    const stranger = new TaxiiClient(broker.url, other.feedKey);
    const peek = await stranger.status(status.id);
    expect(peek.status).toBe(404);
    expect(peek.body).toMatchObject({ title: 'Status not found', http_status: '404' });
    const senderInbox = await client.inbox();
    const intrude = await stranger.post(`${senderInbox}objects/`, { objects: [indicator('x.example')] });
    expect(intrude.status).toBe(404);
    expect(await stranger.inbox()).not.toBe(senderInbox);

    const issued = await http(
      broker.url,
      'POST',
      `/organisations/${sender.id}/channels/${sender.channelId}/credentials`,
      { key: broker.adminKey, json: { scopes: ['feed', 'taxii'] } },
    );
    expect(issued.status).toBe(201);
    const reader = new TaxiiClient(broker.url, issued.body.apiKey);
    expect((await reader.collections()).map((collection) => collection.can_write)).toEqual([false]);
    expect((await reader.get(senderInbox)).status).toBe(404);
    const refused = await reader.post(`${senderInbox}objects/`, { objects: [indicator('y.example')] });
    expect(refused.status).toBe(403);
    expect(refused.body.description).toContain('submit');

    // A credential that may only submit finds its inbox from discovery, posts to it, reads nothing.
    const submitOnly = await http(
      broker.url,
      'POST',
      `/organisations/${sender.id}/channels/${sender.channelId}/credentials`,
      { key: broker.adminKey, json: { scopes: ['submit'] } },
    );
    expect(submitOnly.status).toBe(201);
    const poster = new TaxiiClient(broker.url, submitOnly.body.apiKey);
    expect((await poster.collections()).map((collection) => [collection.id, collection.can_read])).toEqual([
      [senderInbox.split('/').filter(Boolean).pop(), false],
    ]);
    expect(await poster.inbox()).toBe(senderInbox);
    const posted = await poster.post(`${senderInbox}objects/`, { objects: [indicator('submit-only.example')] });
    expect(posted.status).toBe(202);
    expect((await poster.status(posted.body.id)).body).toMatchObject({ status: 'complete', success_count: 1 });
    const root = await poster.apiRoot();
    const reading = await poster.get(`${root}collections/${sender.channelId}/objects/`);
    expect(reading.status).toBe(403);
    expect((await poster.get(`${root}collections/${sender.channelId}/`)).status).toBe(404);
  });

  it('answers TAXII errors: read collection, media types, malformed envelope, size limit', async () => {
    const inbox = await client.inbox();
    const root = await client.apiRoot();
    const readOnly = await client.post(`${root}collections/${sender.channelId}/objects/`, { objects: [] });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body).toMatchObject({ title: 'Read-only collection' });
    for (const type of ['application/json', 'application/stix+json;version=2.1', 'text/plain']) {
      const refused = await client.post(
        `${inbox}objects/`,
        { type: 'bundle', objects: [indicator('z.example')] },
        type,
      );
      expect(refused.status).toBe(415);
      expect(refused.headers.get('content-type')).toBe(TAXII);
      expect(refused.body.http_status).toBe('415');
    }
    const malformed = await client.post(`${inbox}objects/`, { objects: 'indicator' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({
      title: 'Invalid envelope',
      description: expect.stringContaining('objects'),
    });
    const notJson = await client.post(`${inbox}objects/`, '{"objects": [');
    expect(notJson.status).toBe(400);
    expect(notJson.body.http_status).toBe('400');

    const before = await broker.db.query(`SELECT count(*)::int AS count FROM taxii_inbox_statuses`);
    const padding = 'x'.repeat(1_000);
    const large = Array.from({ length: 70 }, (_, n) => ({ ...indicator(`big-${n}.example`), description: padding }));
    const tooLarge = await client.post(`${inbox}objects/`, { objects: large });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({
      http_status: '413',
      description: expect.stringContaining(String(MAX_BYTES)),
    });
    expect(await broker.db.query(`SELECT count(*)::int AS count FROM taxii_inbox_statuses`)).toEqual(before);
  });
});

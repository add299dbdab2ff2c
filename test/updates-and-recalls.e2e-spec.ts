import { IncomingMessage } from 'node:http';
import { simpleParser } from 'mailparser';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '@tlp-broker/channels';
import { openSealed } from '@tlp-broker/crypto';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { publishItem } from './support/items';
import { newKeyPair, postOrganisation, registerPartner, teamPublicKey, TestPartner } from './support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer, startWebhookPeer } from './support/peers';

interface FeedEntry {
  id: string;
  entry: 'item' | 'recall';
  itemId: string;
  version: number;
  tlp: string;
  message: string;
}

interface DeliveryRow {
  id: string;
  kind: 'item' | 'recall';
  version: number;
  channelId: string;
  channel: string;
  organisation: string;
  state: string;
  reason: string | null;
}

/**
 * Updates and retractions through the whole broker, with partners on every channel: pull feeds,
 * e-mail to a real SMTP server and webhooks to a real HTTP server. Each recipient's copy is opened
 * with its own private key, as the partner would.
 */
describe('updates and recalls', () => {
  let broker: TestBroker;
  let smtp: Peer;
  let hooks: Peer;
  const mails: ReceivedMail[] = [];
  const posts: { headers: IncomingMessage['headers']; body: Buffer }[] = [];
  let alpha: TestPartner;
  let bravo: TestPartner;
  let charlie: {
    id: string;
    privateKey: openpgp.PrivateKey;
    secret: string;
    emailChannel: string;
    webhookChannel: string;
  };
  let teamKey: openpgp.PublicKey;

  beforeAll(async () => {
    smtp = await startMailPeer(mails);
    hooks = await startWebhookPeer((request, body, response) => {
      posts.push({ headers: request.headers, body });
      response.writeHead(200).end();
    });

    broker = await startBroker({ env: pushSettings(smtp) });
    [alpha, bravo] = await Promise.all([
      registerPartner(broker.url, broker.adminKey, { name: 'Alpha CERT', relation: 'peer', communities: ['eu-csirt'] }),
      registerPartner(broker.url, broker.adminKey, { name: 'Bravo CERT', relation: 'peer', communities: ['eu-csirt'] }),
    ]);
    const keys = await newKeyPair('Charlie SOC', 'soc@charlie.example');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Charlie SOC', keys.publicArmored, {
      kind: 'soc',
      channels: [
        { kind: 'email', address: 'soc@charlie.example' },
        { kind: 'webhook', address: `${hooks.url}/in` },
      ],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const channelOf = (kind: string) =>
      registered.body.channels.find((channel: { kind: string }) => channel.kind === kind);
    charlie = {
      id: registered.body.id,
      privateKey: keys.privateKey,
      secret: channelOf('webhook').secret,
      emailChannel: channelOf('email').id,
      webhookChannel: channelOf('webhook').id,
    };
    teamKey = await teamPublicKey(broker.url);
  });

  afterAll(async () => {
    await broker?.close();
    await smtp?.close();
    await hooks?.close();
  });

  const item = (title: string, organisations: string[], extra: Record<string, unknown> = {}) => ({
    type: 'advisory' as const,
    title,
    body: `Body of ${title}`,
    tlp: 'TLP:AMBER',
    audience: { organisations },
    ...extra,
  });

  const publish = async (title: string, organisations: string[]) =>
    (await publishItem(broker.url, broker.analystKey, item(title, organisations))).id;

  const deliveries = async (itemId: string): Promise<DeliveryRow[]> => {
    const response = await http<DeliveryRow[]>(broker.url, 'GET', `/deliveries?item=${itemId}`, {
      key: broker.analystKey,
    });
    expect(response.status).toBe(200);
    return response.body;
  };

  /** Waits until the item has `count` deliveries and none is still open. */
  const settled = (itemId: string, count: number) =>
    eventually(async () => {
      const rows = await deliveries(itemId);
      return rows.length === count && rows.every((row) => !['queued', 'sending', 'failed'].includes(row.state))
        ? rows
        : undefined;
    });

  const feed = async (partner: TestPartner, itemId: string): Promise<FeedEntry[]> => {
    const response = await http<{ entries: FeedEntry[] }>(broker.url, 'GET', '/feed?limit=100', {
      key: partner.feedKey,
    });
    expect(response.status).toBe(200);
    return response.body.entries.filter((entry) => entry.itemId === itemId);
  };

  const opened = async (armored: string, key: openpgp.PrivateKey) => (await openSealed(armored, key, [teamKey])).text;

  const mailsAbout = (itemId: string) => mails.filter((mail) => mail.raw.toString().includes(itemId.slice(0, 8)));
  const postsAbout = (itemId: string) => posts.filter((post) => JSON.parse(post.body.toString()).itemId === itemId);

  const summary = (rows: DeliveryRow[]) =>
    rows.map((row) => `${row.organisation} ${row.channel} ${row.kind} v${row.version} ${row.state}`).sort();

  it('sends an update to whoever the new version allows, and recalls it from those sent an earlier version who may not have this one', async () => {
    const itemId = await publish('Phishing kit against bank customers', [alpha.id, bravo.id, charlie.id]);
    await settled(itemId, 4);

    const updated = await http(broker.url, 'PUT', `/items/${itemId}`, {
      key: broker.analystKey,
      json: item('Phishing kit: the operators identified', [alpha.id]),
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ id: itemId, version: 2, state: 'published' });

    const rows = await settled(itemId, 8);
    expect(summary(rows)).toEqual(
      [
        'Alpha CERT feed item v1 delivered',
        'Alpha CERT feed item v2 delivered',
        // What a recall withdrew reads `recalled`.
        'Bravo CERT feed item v1 recalled',
        'Bravo CERT feed recall v2 delivered',
        'Charlie SOC email item v1 recalled',
        'Charlie SOC email recall v2 sent',
        'Charlie SOC webhook item v1 recalled',
        'Charlie SOC webhook recall v2 delivered',
      ].sort(),
    );
    for (const recall of rows.filter((row) => row.kind === 'recall'))
      expect(recall.reason).toMatch(/^Version 2 may not be sent to this recipient: /);

    // Alpha keeps both versions; Bravo's feed keeps only the recall notice.
    expect((await feed(alpha, itemId)).map((entry) => [entry.entry, entry.version]).sort()).toEqual([
      ['item', 1],
      ['item', 2],
    ]);
    const alphaV2 = JSON.parse(
      await opened((await feed(alpha, itemId)).find((entry) => entry.version === 2)!.message, alpha.privateKey),
    );
    expect(alphaV2.title).toBe('Phishing kit: the operators identified');
    const bravoFeed = await feed(bravo, itemId);
    expect(bravoFeed.map((entry) => entry.entry)).toEqual(['recall']);
    const bravoRecallText = await opened(bravoFeed[0].message, bravo.privateKey);
    const bravoRecall = JSON.parse(bravoRecallText);
    expect(bravoRecall).toMatchObject({
      format: 'tlp-broker/recall@1',
      id: itemId,
      recall: 'withdrawn',
      versions: [1],
      tlp: 'TLP:AMBER',
    });
    // The recall says nothing of the version the recipient may not have.
    expect(bravoRecallText).not.toContain('operators identified');
    await expect(openSealed(bravoFeed[0].message, alpha.privateKey, [teamKey])).rejects.toThrow();

    // Charlie: one recall e-mail, PGP/MIME, the subject saying what it is and nothing of the content.
    const itemMails = mailsAbout(itemId);
    expect(itemMails).toHaveLength(2);
    const recallMail = await simpleParser(itemMails[1].raw);
    expect(recallMail.subject).toMatch(/^\[TLP:AMBER\] RECALL of advisory [0-9a-f]{8} v2$/);
    expect(recallMail.headers.get('content-type')).toMatchObject({ value: 'multipart/encrypted' });
    const encrypted = recallMail.attachments.find((part) => part.contentType === 'application/octet-stream')!;
    const inner = await simpleParser(await opened(encrypted.content.toString(), charlie.privateKey));
    expect(inner.text).toContain('RECALL');
    expect(inner.text).toContain('the new version is not shared with you');
    expect(inner.text).not.toContain('operators identified');
    // …and one recall POST, signed with the channel's secret.
    const itemPosts = postsAbout(itemId);
    expect(itemPosts).toHaveLength(2);
    const recallPost = itemPosts[1];
    expect(
      verifyWebhookSignature({
        secret: charlie.secret,
        timestamp: recallPost.headers['x-tlpb-timestamp'] as string,
        signature: recallPost.headers['x-tlpb-signature'] as string,
        body: recallPost.body,
        nowSeconds: Math.floor(Date.now() / 1000),
      }),
    ).toEqual({ ok: true });
    const payload = JSON.parse(recallPost.body.toString());
    expect(payload).toMatchObject({ format: 'tlp-broker/recall@1', itemId, recall: 'withdrawn', versions: [1] });
    expect(JSON.parse(await opened(payload.message, charlie.privateKey))).toMatchObject({
      id: itemId,
      recall: 'withdrawn',
    });
  });

  it('sends a widening update to the new recipients as well, and recalls nothing', async () => {
    const itemId = await publish('Ransomware affiliate infrastructure', [alpha.id]);
    await settled(itemId, 1);
    const updated = await http(broker.url, 'PUT', `/items/${itemId}`, {
      key: broker.analystKey,
      json: item('Ransomware affiliate infrastructure (more)', [alpha.id, bravo.id]),
    });
    expect(updated.status).toBe(200);
    const rows = await settled(itemId, 3);
    expect(summary(rows)).toEqual([
      'Alpha CERT feed item v1 delivered',
      'Alpha CERT feed item v2 delivered',
      'Bravo CERT feed item v2 delivered',
    ]);
    expect((await feed(bravo, itemId)).map((entry) => [entry.entry, entry.version])).toEqual([['item', 2]]);
  });

  it('retracts: every earlier recipient gets one recall with the note, the item leaves every feed, and nothing of it is sent again', async () => {
    const itemId = await publish('Indicators for a botnet takedown', [alpha.id, bravo.id, charlie.id]);
    await settled(itemId, 4);
    const mailsBefore = mailsAbout(itemId).length;

    const retracted = await http(broker.url, 'POST', `/items/${itemId}/retract`, {
      key: broker.analystKey,
      json: {
        reason: 'The addresses are a sinkhole',
        notice: 'These addresses belong to a sinkhole: remove them from your blocklists.',
      },
    });
    expect(retracted.status, JSON.stringify(retracted.body)).toBe(200);
    expect(retracted.body).toMatchObject({
      id: itemId,
      state: 'retracted',
      recalls: 4,
      cancelled: 0,
      removedFromFeeds: 2,
    });

    const rows = await settled(itemId, 8);
    expect(
      rows
        .filter((row) => row.kind === 'recall')
        .map((row) => `${row.organisation} ${row.channel} ${row.state}`)
        .sort(),
    ).toEqual([
      'Alpha CERT feed delivered',
      'Bravo CERT feed delivered',
      'Charlie SOC email sent',
      'Charlie SOC webhook delivered',
    ]);
    for (const partner of [alpha, bravo]) {
      const entries = await feed(partner, itemId);
      expect(entries.map((entry) => entry.entry)).toEqual(['recall']);
      expect(JSON.parse(await opened(entries[0].message, partner.privateKey))).toMatchObject({
        recall: 'retracted',
        versions: [1],
        note: 'These addresses belong to a sinkhole: remove them from your blocklists.',
      });
    }
    expect(mailsAbout(itemId).length - mailsBefore).toBe(1);
    const recallMail = await simpleParser(mailsAbout(itemId).at(-1)!.raw);
    const encrypted = recallMail.attachments.find((part) => part.contentType === 'application/octet-stream')!;
    expect((await simpleParser(await opened(encrypted.content.toString(), charlie.privateKey))).text).toContain(
      'Note from the publisher: These addresses belong to a sinkhole',
    );

    expect((await http(broker.url, 'GET', `/items/${itemId}`, { key: broker.analystKey })).body.state).toBe(
      'retracted',
    );
    const again = await http(broker.url, 'POST', `/items/${itemId}/retract`, {
      key: broker.analystKey,
      json: { reason: 'twice' },
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('already retracted');
    const update = await http(broker.url, 'PUT', `/items/${itemId}`, {
      key: broker.analystKey,
      json: item('Too late', [alpha.id]),
    });
    expect(update.status).toBe(409);
    expect((await deliveries(itemId)).length).toBe(8);
  });

  it('after a narrowing update, a retraction recalls only from those who still had the item', async () => {
    const itemId = await publish('Carding forum credentials', [alpha.id, bravo.id]);
    await settled(itemId, 2);
    expect(
      (
        await http(broker.url, 'PUT', `/items/${itemId}`, {
          key: broker.analystKey,
          json: item('Carding forum credentials v2', [alpha.id]),
        })
      ).status,
    ).toBe(200);
    await settled(itemId, 4);
    const retracted = await http(broker.url, 'POST', `/items/${itemId}/retract`, {
      key: broker.analystKey,
      json: { reason: 'Closed case' },
    });
    expect(retracted.body).toMatchObject({ recalls: 1 });
    const rows = await settled(itemId, 5);
    const recalls = rows
      .filter((row) => row.kind === 'recall')
      .map((row) => `${row.organisation} v${row.version}`)
      .sort();
    // Bravo was recalled at version 2 and holds nothing since; Alpha is recalled now.
    expect(recalls).toEqual(['Alpha CERT v2', 'Bravo CERT v2']);
    const alphaRecall = (await feed(alpha, itemId)).find((entry) => entry.entry === 'recall')!;
    expect(JSON.parse(await opened(alphaRecall.message, alpha.privateKey))).toMatchObject({
      recall: 'retracted',
      versions: [1, 2],
    });
    expect((await feed(bravo, itemId)).map((entry) => entry.entry)).toEqual(['recall']);
  });

  it('refuses a bad update or retraction with the field named, and changes nothing', async () => {
    const itemId = await publish('Unchanged by bad requests', [alpha.id]);
    await settled(itemId, 1);
    const otherType = await http(broker.url, 'PUT', `/items/${itemId}`, {
      key: broker.analystKey,
      json: { ...item('New type', [alpha.id]), type: 'alert' },
    });
    expect(otherType.status).toBe(400);
    expect(otherType.body.details).toEqual([{ field: 'type', message: expect.stringContaining('advisory') }]);
    const badLabel = await http(broker.url, 'PUT', `/items/${itemId}`, {
      key: broker.analystKey,
      json: { ...item('Bad label', [alpha.id]), tlp: 'TLP:PURPLE' },
    });
    expect(badLabel.status).toBe(400);
    expect(badLabel.body.details[0].field).toBe('tlp');
    const noReason = await http(broker.url, 'POST', `/items/${itemId}/retract`, { key: broker.analystKey, json: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.details.map((detail: { field: string }) => detail.field)).toContain('reason');
    const unknown = await http(broker.url, 'PUT', '/items/00000000-0000-4000-8000-000000000000', {
      key: broker.analystKey,
      json: item('Nobody', [alpha.id]),
    });
    expect(unknown.status).toBe(404);
    const byPartner = await http(broker.url, 'POST', `/items/${itemId}/retract`, {
      key: alpha.feedKey,
      json: { reason: 'not mine to retract' },
    });
    expect(byPartner.status).toBe(403);
    const byAdmin = await http(broker.url, 'PUT', `/items/${itemId}`, {
      key: broker.adminKey,
      json: item('Admins do not publish', [alpha.id]),
    });
    expect(byAdmin.status).toBe(403);

    const now = await http(broker.url, 'GET', `/items/${itemId}`, { key: broker.analystKey });
    expect(now.body).toMatchObject({ version: 1, state: 'published', title: 'Unchanged by bad requests' });
    expect((await deliveries(itemId)).map((row) => row.kind)).toEqual(['item']);
  });
});

import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { OrganisationRepository, PartnerFeedEntity, PartnerFeedRepository } from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import { PartnerFeedsService } from './partner-feeds.service';

const actor = staffPrincipal();
const SECRET = 'Bearer tlpb_0123456789abcdef';

const stored = (fields: Partial<PartnerFeedEntity> = {}): PartnerFeedEntity =>
  ({
    id: 'feed-1',
    organisationId: 'org-b',
    kind: 'taxii',
    name: 'B (TAXII)',
    url: 'https://broker.partner.example/taxii2/api/collections/c1/',
    authorizationHeader: SECRET,
    intervalSeconds: 300,
    status: 'active',
    cursor: { addedAfter: '2026-03-01T10:00:00.000000Z' },
    lastPolledAt: null,
    lastError: null,
    nextPollAt: new Date('2026-03-01T10:05:00Z'),
    claimedUntil: null,
    createdAt: new Date('2026-03-01T10:00:00Z'),
    ...fields,
  }) as PartnerFeedEntity;

function service(feed: PartnerFeedEntity | null = stored(), organisationStatus = 'active') {
  const feeds = {
    insert: vi.fn(async () => stored()),
    byId: vi.fn(async () => feed),
    list: vi.fn(async () => (feed ? [feed] : [])),
    lockById: vi.fn(async () => feed),
    update: vi.fn(async () => undefined),
    pollNow: vi.fn(async () => undefined),
    intakeCounts: vi.fn(async () => new Map([['feed-1', { taken: 4, rejected: 1 }]])),
  };
  const organisations = {
    findById: vi.fn(async (id: string) =>
      id === 'org-b' ? { id, name: 'Partner B CERT', status: organisationStatus } : null,
    ),
    organisationNames: vi.fn(async () => new Map([['org-b', 'Partner B CERT']])),
  };
  const audit = fakeAudit();
  const config = { webhooks: { allowList: ['10.20.0.0/16'] } } as unknown as AppConfig;
  const subject = new PartnerFeedsService(
    config,
    fakeTransactions(),
    audit,
    feeds as unknown as PartnerFeedRepository,
    organisations as unknown as OrganisationRepository,
  );
  return { subject, feeds, audit };
}

const create = {
  organisationId: 'org-b',
  kind: 'taxii' as const,
  name: ' B (TAXII) ',
  url: 'https://broker.partner.example/taxii2/api/collections/c1',
  authorization: SECRET,
  intervalSeconds: 300,
};

const problem = async (work: Promise<unknown>) => {
  const error = await work.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(BadRequestException);
  return ((error as BadRequestException).getResponse() as { details: { field: string; message: string }[] }).details[0];
};

describe('PartnerFeedsService', () => {
  it('registers a feed at its URL as it will be called, audited without the credential, shown without it', async () => {
    const s = service();
    const view = await s.subject.create(create, actor);
    expect(s.feeds.insert).toHaveBeenCalledWith(
      {
        organisationId: 'org-b',
        kind: 'taxii',
        name: 'B (TAXII)',
        url: 'https://broker.partner.example/taxii2/api/collections/c1/',
        authorizationHeader: SECRET,
        intervalSeconds: 300,
      },
      tx,
    );
    const [[, entry]] = s.audit.append.mock.calls;
    expect(entry).toMatchObject({ action: 'partner-feed.created', subjectType: 'partner-feed', actor: 'user:u-1' });
    expect(entry.details).toMatchObject({ authorization: true });
    expect(JSON.stringify(entry)).not.toContain('tlpb_');
    expect(view).toMatchObject({
      organisation: 'Partner B CERT',
      hasAuthorization: true,
      cursor: { addedAfter: '2026-03-01T10:00:00.000000Z' },
      submissions: { taken: 4, rejected: 1 },
      polling: false,
    });
    expect(JSON.stringify(view)).not.toContain('tlpb_');
  });

  it.each([
    ['https://169.254.169.254/latest/', /refused: 169\.254\.169\.254 is a link-local address/],
    ['https://127.0.0.1/misp/', /loopback/],
    ['http://broker.partner.example/misp/', /refused: a feed URL must use https/],
    ['https://me:pw@broker.partner.example/misp/', /must not carry credentials/],
    ['https://broker.partner.example/misp/?key=1', /no query or fragment/],
    ['ftp://broker.partner.example/misp/', /ftp scheme is not a feed URL/],
    ['feeds', /not an absolute URL/],
  ])('refuses %s, naming the url', async (url, message) => {
    const s = service();
    const detail = await problem(s.subject.create({ ...create, url }, actor));
    expect(detail).toMatchObject({ field: 'url' });
    expect(detail.message).toMatch(message);
    expect(s.feeds.insert).not.toHaveBeenCalled();
  });

  it('accepts an allow-listed private address, and refuses an unknown organisation', async () => {
    const s = service();
    await s.subject.create({ ...create, url: 'https://10.20.1.5/misp' }, actor);
    expect(s.feeds.insert).toHaveBeenCalledWith(expect.objectContaining({ url: 'https://10.20.1.5/misp/' }), tx);
    expect(await problem(s.subject.create({ ...create, organisationId: 'nobody' }, actor))).toMatchObject({
      field: 'organisationId',
    });
  });

  it('audits each change with what it was, the credential only as replaced, and nothing when nothing changes', async () => {
    const s = service();
    await s.subject.update(
      'feed-1',
      {
        name: 'B (TAXII)',
        url: 'https://broker.partner.example/taxii2/api/collections/c2/',
        authorization: 'Bearer new',
      },
      actor,
    );
    expect(s.feeds.update).toHaveBeenCalledWith(
      'feed-1',
      { url: 'https://broker.partner.example/taxii2/api/collections/c2/', authorizationHeader: 'Bearer new' },
      tx,
    );
    expect(s.audit.append.mock.calls[0][1]).toMatchObject({
      action: 'partner-feed.changed',
      details: {
        url: {
          from: 'https://broker.partner.example/taxii2/api/collections/c1/',
          to: 'https://broker.partner.example/taxii2/api/collections/c2/',
        },
        authorization: 'replaced',
        cursor: 'reset',
      },
    });
    await s.subject.update('feed-1', { intervalSeconds: 300, authorization: SECRET }, actor);
    expect(s.audit.append).toHaveBeenCalledTimes(1);
    await s.subject.update('feed-1', { authorization: null }, actor);
    expect(s.audit.append.mock.calls[1][1].details).toEqual({ authorization: 'removed' });
    expect(await problem(s.subject.update('feed-1', {}, actor))).toMatchObject({ field: 'body' });
  });

  it('polls now only an active feed of an active partner, audited', async () => {
    const s = service();
    await s.subject.pollNow('feed-1', actor);
    expect(s.feeds.pollNow).toHaveBeenCalledWith('feed-1', tx);
    expect(s.audit.append.mock.calls[0][1]).toMatchObject({ action: 'partner-feed.poll-requested' });
    await expect(service(stored({ status: 'suspended' })).subject.pollNow('feed-1', actor)).rejects.toThrow(
      ConflictException,
    );
    await expect(service(stored(), 'suspended').subject.pollNow('feed-1', actor)).rejects.toThrow(/suspended/);
    await expect(service(null).subject.pollNow('feed-9', actor)).rejects.toThrow(NotFoundException);
  });
});

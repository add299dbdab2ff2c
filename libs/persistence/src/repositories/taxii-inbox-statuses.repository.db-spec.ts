import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { TaxiiInboxStatusRepository } from './taxii-inbox-statuses.repository';
import { TestRows } from './test-rows.db-fixtures';

describe('TaxiiInboxStatusRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  const fixtures = new TestRows(db);
  let statuses: TaxiiInboxStatusRepository;
  let organisationId: string;
  let channelId: string;
  let otherOrganisationId: string;

  beforeAll(async () => {
    statuses = new TaxiiInboxStatusRepository(db.dataSource);
    organisationId = await fixtures.organisation('Posting CERT');
    channelId = await fixtures.channel(organisationId);
    otherOrganisationId = await fixtures.organisation('Other CSIRT');
  });

  it('stores a status under the id the inbox chose, and shows it to the posting organisation only', async () => {
    const id = randomUUID();
    const requestTimestamp = new Date('2026-03-02T10:00:00.123Z');
    await statuses.insert({
      id,
      organisationId,
      channelId,
      submissionId: null,
      status: 'complete',
      requestTimestamp,
      totalCount: 2,
      successCount: 1,
      failureCount: 1,
      pendingCount: 0,
      successes: [{ id: 'indicator--a', version: '2026-03-02T09:00:00.000Z' }],
      failures: [{ id: 'indicator--b', version: '2026-03-02T09:00:00.000Z', message: 'valid_from is missing' }],
    });
    expect(await statuses.ofOrganisation(id, organisationId)).toMatchObject({
      id,
      channelId,
      requestTimestamp,
      successCount: 1,
      failures: [{ id: 'indicator--b', message: 'valid_from is missing' }],
    });
    expect(await statuses.ofOrganisation(id, otherOrganisationId)).toBeNull();
    expect(await statuses.ofOrganisation(randomUUID(), organisationId)).toBeNull();
  });
});

import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../../../test/support/errors';
import { strictValidationPipe } from '../common/errors';
import { InboxQueryDto } from './submissions.dto';

const query = (value: object) => strictValidationPipe().transform(value, { type: 'query', metatype: InboxQueryDto });

describe('InboxQueryDto', () => {
  it('reads states and sources given once, repeated or separated by commas', async () => {
    expect(await query({ state: 'received' })).toMatchObject({ state: ['received'] });
    expect(await query({ state: ['received', 'in-triage'], source: 'email, form' })).toMatchObject({
      state: ['received', 'in-triage'],
      source: ['email', 'form'],
    });
    expect(await query({ limit: '200' })).toMatchObject({ limit: 200 });
    expect(await query({})).toEqual({});
  });

  it.each([
    [{ state: 'received,open' }, 'state'],
    [{ source: ['email', 'fax'] }, 'source'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: '1e2' }, 'limit'],
    [{ since: 'yesterday' }, 'since'],
  ])('refuses %o naming %s', async (value, field) => {
    const error = await rejection(
      Promise.resolve().then(() => query(value)),
      BadRequestException,
    );
    expect((error.getResponse() as { details: { field: string }[] }).details[0].field).toBe(field);
  });
});

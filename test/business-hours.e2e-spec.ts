import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';
import { registerPartner, TestPartner } from './support/partners';

const SINGAPORE_WEEK = {
  timeZone: 'Asia/Singapore',
  week: Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => [day, [{ from: '08:30', to: '17:30' }]]),
  ),
  holidays: { country: 'SG' },
};

/**
 * Partners' and the team's business hours through the API: time zones, the changes to and from
 * summer time, public holidays of each partner's own country, and closures an administrator adds.
 */
describe('business hours and availability', () => {
  let broker: TestBroker;
  let france: TestPartner;
  let singapore: TestPartner;

  const availability = async (path: string, at: string) => {
    const response = await http(broker.url, 'GET', `${path}/availability?at=${encodeURIComponent(at)}`, {
      key: broker.analystKey,
    });
    expect(response.status).toBe(200);
    return response.body;
  };

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: false });
    france = await registerPartner(broker.url, broker.adminKey, {
      name: 'OFAC',
      country: 'FR',
      relation: 'constituent',
    });
    singapore = await registerPartner(broker.url, broker.adminKey, {
      name: 'Interpol IGCI',
      country: 'SG',
      relation: 'peer',
    });
    const registered = await http(broker.url, 'PUT', `/organisations/${singapore.id}/hours`, {
      key: broker.adminKey,
      json: SINGAPORE_WEEK,
    });
    expect(registered.status).toBe(200);
  });

  afterAll(async () => {
    await broker?.close();
  });

  it("keeps the team's hours for a partner that registered none, with its own country's holidays", async () => {
    const hours = await http(broker.url, 'GET', `/organisations/${france.id}/hours`, { key: broker.analystKey });
    expect(hours.status).toBe(200);
    expect(hours.body).toMatchObject({ registered: false, timeZone: 'Europe/Paris', holidays: { country: 'FR' } });
    expect(hours.body.publicHolidays.map((holiday: { date: string }) => holiday.date)).toContain(
      `${new Date().getFullYear()}-07-14`,
    );
    const open = await availability(`/organisations/${france.id}`, '2026-12-01T10:00:00+01:00');
    expect(open).toMatchObject({ open: true, state: 'business-hours', closesAt: '2026-12-01T17:00:00.000Z' });
  });

  it('is closed on a Saturday night and opens on Monday morning', async () => {
    const saturday = await availability(`/organisations/${france.id}`, '2026-12-05T23:40:00+01:00');
    expect(saturday).toMatchObject({
      open: false,
      state: 'outside-hours',
      localTime: '2026-12-05T23:40:00+01:00',
      nextOpenAt: '2026-12-07T08:00:00.000Z',
    });
  });

  it('opens at 09:00 local time across the changes to and from summer time (last Sundays of March and October)', async () => {
    // Friday evening before each change: Monday 09:00 has the new offset.
    const march = await availability('/team', '2026-03-27T19:00:00+01:00');
    expect(march.nextOpenAt).toBe('2026-03-30T07:00:00.000Z');
    const october = await availability('/team', '2026-10-23T19:00:00+02:00');
    expect(october.nextOpenAt).toBe('2026-10-26T08:00:00.000Z');
    // On the Sundays themselves, the local time reads with the offset in force at that instant.
    expect((await availability('/team', '2026-03-29T01:30:00Z')).localTime).toBe('2026-03-29T03:30:00+02:00');
    expect((await availability('/team', '2026-10-25T01:30:00Z')).localTime).toBe('2026-10-25T02:30:00+01:00');
  });

  it('closes on 14 July and Easter Monday in France, not in Singapore', async () => {
    const bastille = await availability(`/organisations/${france.id}`, '2026-07-14T10:00:00+02:00');
    expect(bastille).toMatchObject({ open: false, state: 'public-holiday', nextOpenAt: '2026-07-15T07:00:00.000Z' });
    expect(bastille.holiday).toEqual(expect.any(String));
    const easter = await availability(`/organisations/${france.id}`, '2026-04-06T10:00:00+02:00');
    expect(easter).toMatchObject({ open: false, state: 'public-holiday' });

    expect(await availability(`/organisations/${singapore.id}`, '2026-07-14T10:00:00+08:00')).toMatchObject({
      open: true,
      state: 'business-hours',
      localTime: '2026-07-14T10:00:00+08:00',
      closesAt: '2026-07-14T09:30:00.000Z',
    });
    expect(await availability(`/organisations/${singapore.id}`, '2026-04-06T10:00:00+08:00')).toMatchObject({
      open: true,
    });
  });

  it('closes Singapore on its own holidays and at its own evening, while Paris is at work', async () => {
    // National Day falls on Sunday 9 August 2026; Monday 10 August is its substitute holiday.
    const substitute = await availability(`/organisations/${singapore.id}`, '2026-08-10T10:00:00+08:00');
    expect(substitute).toMatchObject({ open: false, state: 'public-holiday', nextOpenAt: '2026-08-11T00:30:00.000Z' });
    expect((await availability(`/organisations/${france.id}`, '2026-08-10T10:00:00+02:00')).open).toBe(true);
    // 15:00 in Paris on a Tuesday is 21:00 in Singapore.
    const evening = await availability(`/organisations/${singapore.id}`, '2026-12-01T15:00:00+01:00');
    expect(evening).toMatchObject({ open: false, state: 'outside-hours', localTime: '2026-12-01T22:00:00+08:00' });
  });

  it('honours a closure an administrator adds, and forgets it when removed; both audited', async () => {
    const added = await http(broker.url, 'POST', `/organisations/${france.id}/closures`, {
      key: broker.adminKey,
      json: { startsAt: '2026-12-24T12:00:00+01:00', endsAt: '2026-12-28T09:00:00+01:00', reason: 'Office move' },
    });
    expect(added.status).toBe(201);
    const closed = await availability(`/organisations/${france.id}`, '2026-12-24T14:00:00+01:00');
    expect(closed).toMatchObject({ open: false, state: 'closure', nextOpenAt: '2026-12-28T08:00:00.000Z' });
    expect(closed.reason).toContain('Office move');
    const morning = await availability(`/organisations/${france.id}`, '2026-12-24T10:00:00+01:00');
    expect(morning).toMatchObject({ open: true, closesAt: '2026-12-24T11:00:00.000Z' });

    const removed = await http(broker.url, 'DELETE', `/organisations/${france.id}/closures/${added.body.id}`, {
      key: broker.adminKey,
    });
    expect(removed.status).toBe(204);
    expect((await availability(`/organisations/${france.id}`, '2026-12-24T14:00:00+01:00')).open).toBe(true);
    const audit = await broker.db.query(
      `SELECT action FROM audit_events WHERE subject_id = $1 AND action LIKE 'closure.%' ORDER BY seq`,
      [france.id],
    );
    expect(audit.map((row: { action: string }) => row.action)).toEqual(['closure.added', 'closure.removed']);
  });

  it("keeps the team's own closures apart from partners'", async () => {
    const added = await http(broker.url, 'POST', '/team/closures', {
      key: broker.adminKey,
      json: { startsAt: '2026-12-31T12:00:00+01:00', endsAt: '2027-01-02T09:00:00+01:00', reason: 'New Year' },
    });
    expect(added.status).toBe(201);
    expect((await availability('/team', '2026-12-31T14:00:00+01:00')).state).toBe('closure');
    expect((await availability(`/organisations/${france.id}`, '2026-12-31T14:00:00+01:00')).state).toBe(
      'business-hours',
    );
  });

  it('refuses bad hours with the field named, and changes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...SINGAPORE_WEEK, timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ ...SINGAPORE_WEEK, week: { monday: [{ from: '18:00', to: '09:00' }] } }, 'week.monday.0'],
      [{ ...SINGAPORE_WEEK, week: { monday: [{ from: '9am', to: '17:00' }] } }, 'week.monday.0.from'],
      [
        {
          ...SINGAPORE_WEEK,
          week: {
            monday: [
              { from: '09:00', to: '13:00' },
              { from: '12:00', to: '17:00' },
            ],
          },
        },
        'week.monday',
      ],
      [{ ...SINGAPORE_WEEK, week: { someday: [] } }, 'week.someday'],
      [{ ...SINGAPORE_WEEK, holidays: { country: 'ZZ' } }, 'holidays'],
    ];
    for (const [body, field] of cases) {
      const response = await http(broker.url, 'PUT', `/organisations/${france.id}/hours`, {
        key: broker.adminKey,
        json: body,
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.message, JSON.stringify(body)).toContain(field);
    }
    const bad = await http(broker.url, 'GET', `/organisations/${france.id}/availability?at=tomorrow`, {
      key: broker.analystKey,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('at');
    const closure = await http(broker.url, 'POST', `/organisations/${france.id}/closures`, {
      key: broker.adminKey,
      json: { startsAt: '2026-12-24T12:00:00+01:00', endsAt: '2026-12-24T11:00:00+01:00', reason: 'Backwards' },
    });
    expect(closure.status).toBe(400);
    expect(closure.body.message).toContain('endsAt');
    const hours = await http(broker.url, 'GET', `/organisations/${france.id}/hours`, { key: broker.analystKey });
    expect(hours.body.registered).toBe(false);
  });

  it('lets administrators change hours, analysts read them, and partners neither', async () => {
    const byAnalyst = await http(broker.url, 'PUT', `/organisations/${france.id}/hours`, {
      key: broker.analystKey,
      json: SINGAPORE_WEEK,
    });
    expect(byAnalyst.status).toBe(403);
    const byPartner = await http(broker.url, 'GET', `/organisations/${france.id}/availability`, {
      key: france.feedKey,
    });
    expect([401, 403]).toContain(byPartner.status);
  });

  it('forgets registered hours: the team’s apply again', async () => {
    const cleared = await http(broker.url, 'DELETE', `/organisations/${singapore.id}/hours`, { key: broker.adminKey });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ registered: false, timeZone: 'Europe/Paris', holidays: { country: 'SG' } });
    const put = await http(broker.url, 'PUT', `/organisations/${singapore.id}/hours`, {
      key: broker.adminKey,
      json: SINGAPORE_WEEK,
    });
    expect(put.body).toMatchObject({ registered: true, timeZone: 'Asia/Singapore' });
    const audit = await broker.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE subject_id = $1 AND action = 'organisation.hours-updated'`,
      [singapore.id],
    );
    expect(audit[0].n).toBe(3);
  });

  it("shows the team's hours in its signed RFC 2350 profile", async () => {
    const profile = await http(broker.url, 'GET', '/team/profile.txt');
    expect(profile.status).toBe(200);
    expect(String(profile.body)).toContain('Business hours: Monday');
    expect(String(profile.body)).toContain('Europe/Paris');
  });
});

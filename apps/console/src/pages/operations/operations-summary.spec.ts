import { describe, expect, it } from 'vitest';
import { auditVerdict, eventsSinceCheckpoint, queueTotals } from './operations-summary';

describe('queueTotals', () => {
  it('adds up the jobs of every queue, state by state', () => {
    expect(
      queueTotals([
        { name: 'routing', waiting: 1, active: 2, delayed: 0, failed: 0, completed: 30, paused: 0 },
        { name: 'delivery', waiting: 4, active: 1, delayed: 3, failed: 2, completed: 99, paused: 5 },
      ]),
    ).toEqual({ waiting: 5, active: 3, delayed: 3, failed: 2, paused: 5 });
    expect(queueTotals([])).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 });
  });
});

describe('auditVerdict', () => {
  const base = { events: 120, checkpoints: 3, legacyRows: 0, macsChecked: true };

  it('says intact with the events and checkpoints checked', () => {
    expect(auditVerdict({ ...base, intact: true, firstBroken: null })).toEqual({
      kind: 'intact',
      events: 120,
      checkpoints: 3,
    });
  });

  it('names the first broken event and why', () => {
    const verdict = auditVerdict({
      ...base,
      intact: false,
      firstBroken: { seq: 42, reason: 'mac', detail: 'event 42 (item.published) is not authenticated' },
    });
    expect(verdict).toEqual({
      kind: 'broken',
      seq: 42,
      reason: 'mac',
      detail: 'event 42 (item.published) is not authenticated',
      events: 120,
      checkpoints: 3,
    });
  });

  it('never reads a trail that is not intact as intact, even without a named break', () => {
    expect(auditVerdict({ ...base, intact: false, firstBroken: null }).kind).toBe('broken');
  });
});

describe('eventsSinceCheckpoint', () => {
  it('counts the events after the last signed checkpoint', () => {
    const result = { intact: true, events: 10, checkpoints: 1, legacyRows: 0, macsChecked: true };
    expect(eventsSinceCheckpoint({ ...result, head: { seq: 10 }, lastCheckpoint: { seq: 7, at: '' } })).toBe(3);
    expect(eventsSinceCheckpoint({ ...result, head: { seq: 10 }, lastCheckpoint: null })).toBe(10);
    expect(eventsSinceCheckpoint({ ...result, head: null, lastCheckpoint: null })).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { DeliveredStep, servedHistory } from './history';

const at = (iso: string) => new Date(iso);
const a = { type: 'domain' as const, value: 'a.example' };
const b = { type: 'ipv4' as const, value: '198.51.100.2' };
const c = { type: 'url' as const, value: 'https://c.example/' };

function step(fields: Partial<DeliveredStep> & Pick<DeliveredStep, 'deliveryId' | 'version' | 'at'>): DeliveredStep {
  return { entry: 'item', tlp: 'TLP:CLEAR', pap: null, severity: 'high', clearIndicators: [], ...fields };
}

describe('servedHistory', () => {
  it('gives every step a later modified and a greater MISP timestamp, even within one millisecond and one second', () => {
    const views = servedHistory([
      step({ deliveryId: 'd1', version: 1, at: at('2026-11-30T08:00:00.500Z'), clearIndicators: [a] }),
      step({ deliveryId: 'd2', version: 2, at: at('2026-11-30T08:00:00.500Z'), clearIndicators: [a] }),
      step({ deliveryId: 'r3', version: 2, entry: 'recall', at: at('2026-11-30T08:00:00.900Z') }),
    ]);
    expect(views.map((view) => view.modified.toISOString())).toEqual([
      '2026-11-30T08:00:00.500Z',
      '2026-11-30T08:00:00.501Z',
      '2026-11-30T08:00:00.900Z',
    ]);
    const first = Math.floor(Date.parse('2026-11-30T08:00:00Z') / 1000);
    expect(views.map((view) => view.mispTimestamp)).toEqual([first, first + 1, first + 2]);
  });

  it('revokes an indicator a version drops, or that a version above TLP:CLEAR no longer serves in the clear', () => {
    const [, second, third] = servedHistory([
      step({ deliveryId: 'd1', version: 1, at: at('2026-11-30T08:00:00Z'), clearIndicators: [a, b] }),
      step({ deliveryId: 'd2', version: 2, at: at('2026-11-30T09:00:00Z'), clearIndicators: [b, c] }),
      step({ deliveryId: 'd3', version: 3, tlp: 'TLP:AMBER', at: at('2026-11-30T10:00:00Z') }),
    ]);
    expect(second.live.map((version) => version.indicator.value)).toEqual([b.value, c.value]);
    expect(second.revoked).toEqual([
      expect.objectContaining({ indicator: { ...a, generation: 0 }, revoked: true, modified: second.modified }),
    ]);
    expect(second.withdrawn).toEqual({ indicators: [a], attachments: [] });
    expect(third.live).toEqual([]);
    expect(third.revoked.map((version) => version.indicator.value)).toEqual([b.value, c.value]);
    // MISP: the indicators are deleted; the sealed copy is the event's live attribute.
    expect(third.withdrawn.indicators).toEqual([a, b, c]);
  });

  it('revokes on a recall every indicator still live, repeats the revocations since the last recall, and withdraws every MISP attribute', () => {
    const views = servedHistory([
      step({ deliveryId: 'd1', version: 1, at: at('2026-11-30T08:00:00Z'), clearIndicators: [a, b] }),
      step({ deliveryId: 'd2', version: 2, at: at('2026-11-30T09:00:00Z'), clearIndicators: [b] }),
      step({ deliveryId: 'd3', version: 3, tlp: 'TLP:GREEN', severity: 'low', at: at('2026-11-30T10:00:00Z') }),
      step({
        deliveryId: 'r4',
        version: 4,
        entry: 'recall',
        tlp: 'TLP:GREEN',
        severity: null,
        at: at('2026-11-30T11:00:00Z'),
      }),
    ]);
    const recall = views[3];
    // `a` was revoked by version 2, `b` by version 3; those entries leave the feed with the recall.
    expect(recall.revoked.map((version) => [version.indicator.value, version.modified.toISOString()])).toEqual([
      [a.value, '2026-11-30T09:00:00.000Z'],
      [b.value, '2026-11-30T10:00:00.000Z'],
    ]);
    expect(recall.withdrawn).toEqual({
      indicators: [a, b],
      attachments: [{ deliveryId: 'd3', version: 3, recall: false }],
    });
    // The recall names the version the channel was sent, never the one that narrowed the audience.
    expect(recall).toMatchObject({ referenceVersion: 3, severity: 'low', generation: 0 });
  });

  it('gives what follows a recall new identities: a revoked STIX object is never versioned again', () => {
    const views = servedHistory([
      step({ deliveryId: 'd1', version: 1, at: at('2026-11-30T08:00:00Z'), clearIndicators: [a] }),
      step({ deliveryId: 'r2', version: 2, entry: 'recall', at: at('2026-11-30T09:00:00Z') }),
      step({ deliveryId: 'd3', version: 3, at: at('2026-11-30T10:00:00Z'), clearIndicators: [a] }),
      step({ deliveryId: 'd4', version: 4, at: at('2026-11-30T11:00:00Z'), clearIndicators: [] }),
      step({ deliveryId: 'd5', version: 5, at: at('2026-11-30T12:00:00Z'), clearIndicators: [a] }),
    ]);
    expect(views.map((view) => view.generation)).toEqual([0, 0, 1, 1, 1]);
    expect(views[1].revoked).toEqual([expect.objectContaining({ indicator: { ...a, generation: 0 } })]);
    expect(views[2].live[0].indicator.generation).toBe(1);
    expect(views[3].revoked[0].indicator.generation).toBe(1);
    expect(views[4].live[0].indicator.generation).toBe(2);
    // MISP can undelete, so its attribute keeps its identity: it is simply live again.
    expect(views[2].withdrawn).toEqual({
      indicators: [],
      attachments: [{ deliveryId: 'r2', version: 1, recall: true }],
    });
  });
});

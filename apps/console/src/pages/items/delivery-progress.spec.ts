import { describe, expect, it } from 'vitest';
import {
  deliveryProgress,
  LIVE_INTERVAL_MS,
  progressSentence,
  refreshInterval,
  WAITING_INTERVAL_MS,
} from './delivery-progress';

const words = {
  delivered: (delivered: number, total: number) => `${delivered} of ${total} delivered`,
  state: (state: string, count: number) => `${count} ${state}`,
};

describe('deliveryProgress', () => {
  it('says how many of all were delivered, then the other states in a fixed order', () => {
    const states = [...Array(12).fill('delivered'), 'queued', 'queued'];
    const progress = deliveryProgress(states);
    expect(progress).toEqual({ total: 14, delivered: 12, others: [{ state: 'queued', count: 2 }], open: true });
    expect(progressSentence(progress, words)).toBe('12 of 14 delivered, 2 queued');
  });

  it('names e-mail accepted by the mail server apart from delivered, and failures after', () => {
    const progress = deliveryProgress(['dead', 'sent', 'delivered', 'failed', 'sending', 'sent']);
    expect(progressSentence(progress, words)).toBe('1 of 6 delivered, 2 sent, 1 sending, 1 failed, 1 dead');
    expect(progress.open).toBe(true);
  });

  it('is settled once nothing is queued, sending or failed', () => {
    const progress = deliveryProgress(['delivered', 'sent', 'dead', 'cancelled', 'recalled']);
    expect(progress.open).toBe(false);
    expect(progressSentence(progress, words)).toBe('1 of 5 delivered, 1 sent, 1 dead, 1 cancelled, 1 recalled');
  });

  it('lists a state it does not know after the known ones rather than dropping it', () => {
    expect(deliveryProgress(['paused', 'delivered']).others).toEqual([{ state: 'paused', count: 1 }]);
  });

  it('reads no deliveries as 0 of 0 delivered', () => {
    expect(progressSentence(deliveryProgress([]), words)).toBe('0 of 0 delivered');
  });
});

describe('refreshInterval', () => {
  it('watches every second while a delivery or a recall notice is open', () => {
    for (const state of ['queued', 'sending', 'failed']) {
      expect(refreshInterval({ state: 'retracted', routed: true, deliveryStates: ['delivered', state] })).toBe(
        LIVE_INTERVAL_MS,
      );
    }
  });

  it('watches every second while a published item waits for routing', () => {
    expect(refreshInterval({ state: 'published', routed: false, deliveryStates: [] })).toBe(LIVE_INTERVAL_MS);
  });

  it('looks less often while the item waits for approval or its embargo', () => {
    expect(refreshInterval({ state: 'pending-approval', routed: false, deliveryStates: [] })).toBe(WAITING_INTERVAL_MS);
    expect(refreshInterval({ state: 'scheduled', routed: false, deliveryStates: [] })).toBe(WAITING_INTERVAL_MS);
  });

  it('stops once everything settled, or when nothing will ever be routed', () => {
    expect(refreshInterval({ state: 'published', routed: true, deliveryStates: ['delivered', 'sent', 'dead'] })).toBe(
      false,
    );
    expect(refreshInterval({ state: 'retracted', routed: false, deliveryStates: [] })).toBe(false);
    expect(refreshInterval({ state: 'draft', routed: false, deliveryStates: [] })).toBe(false);
    expect(refreshInterval(undefined)).toBe(false);
  });
});

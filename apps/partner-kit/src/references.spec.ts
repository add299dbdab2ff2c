import { describe, expect, it } from 'vitest';
import type { KitState } from './local-store';
import { deliveryOf } from './references';

const ALERT = '1a2b3c4d-0000-4000-8000-000000000001';
const OTHER = '1a2b9999-0000-4000-8000-000000000002';
const step = (deliveryId: string, version: number, entry: 'item' | 'recall' = 'item') =>
  ({ deliveryId, entry, version }) as KitState['items'][string]['steps'][number];
const state = {
  format: 'tlp-broker-partner/state@1',
  cursor: null,
  deliveries: { 'dddddddd-0000-4000-8000-000000000001': {} },
  items: {
    [ALERT]: {
      itemId: ALERT,
      kind: 'alert',
      createdAt: '',
      steps: [step('d1', 1), step('d2', 2), step('d3', 2, 'recall')],
    },
    [OTHER]: { itemId: OTHER, kind: 'advisory', createdAt: '', steps: [step('d9', 1)] },
  },
} as unknown as KitState;

describe('what an acknowledgement names', () => {
  it('takes the reference a person reads, with or without its label, type and version', () => {
    expect(deliveryOf(state, '1a2b3c4d')).toBe('d2');
    expect(deliveryOf(state, '[TLP:AMBER] alert 1a2b3c4d v1')).toBe('d1');
    expect(deliveryOf(state, 'alert 1A2B3C4D')).toBe('d2');
  });

  it('takes an item id (its latest version) or a delivery id as they are', () => {
    expect(deliveryOf(state, ALERT)).toBe('d2');
    expect(deliveryOf(state, 'dddddddd-0000-4000-8000-000000000001')).toBe('dddddddd-0000-4000-8000-000000000001');
  });

  it('says why when the reference is ambiguous, unknown or not one', () => {
    expect(() => deliveryOf(state, '1a2b')).toThrow('names no item');
    expect(() => deliveryOf(state, '1a2b3c4d v7')).toThrow('no version 7');
    expect(() => deliveryOf(state, 'ffffffff')).toThrow('run pull first');
    const twins = {
      ...state,
      items: { ...state.items, [ALERT.replace('0001', '0003')]: state.items[ALERT] },
    } as KitState;
    expect(() => deliveryOf(twins, '1a2b3c4d')).toThrow('give more digits');
  });
});

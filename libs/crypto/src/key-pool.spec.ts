import { Piscina } from 'piscina';
import { describe, expect, it } from 'vitest';
import { UrgentFirstQueue } from './key-pool';

type Queued = Parameters<UrgentFirstQueue['push']>[0];

/** A task as the pool queues it: its queue options are those its payload carried. */
function task(name: string, bulk?: boolean): Queued & { name: string } {
  return { name, [Piscina.queueOptionsSymbol]: bulk === undefined ? null : { bulk } } as unknown as Queued & {
    name: string;
  };
}

function drain(queue: UrgentFirstQueue): string[] {
  const names: string[] = [];
  for (let next = queue.shift(); next !== null; next = queue.shift())
    names.push((next as unknown as { name: string }).name);
  return names;
}

describe("the key pool's waiting line", () => {
  it('hands out urgent tasks before bulk ones, each line in the order it came', () => {
    const queue = new UrgentFirstQueue();
    for (const queued of [task('b1', true), task('b2', true), task('u1'), task('b3', true), task('u2', false)])
      queue.push(queued);
    expect(queue.size).toBe(5);
    expect(drain(queue)).toEqual(['u1', 'u2', 'b1', 'b2', 'b3']);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeNull();
  });

  it('removes a task from whichever line holds it', () => {
    const queue = new UrgentFirstQueue();
    const [bulk, urgent] = [task('bulk', true), task('urgent')];
    for (const queued of [bulk, urgent, task('other', true)]) queue.push(queued);
    queue.remove(bulk);
    queue.remove(urgent);
    expect(drain(queue)).toEqual(['other']);
  });
});

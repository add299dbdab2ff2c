import { describe, expect, it } from 'vitest';
import { Clock, WallClock } from './clock';

describe('Clock and WallClock', () => {
  it('starts the rules’ clock at CLOCK_START and lets it run; the wall clock keeps the real time', async () => {
    const start = new Date('2026-12-05T22:40:00Z');
    const clock = new Clock(start);
    const wall = new WallClock();
    expect(Math.abs(clock.now().getTime() - start.getTime())).toBeLessThan(1_000);
    expect(Math.abs(wall.now().getTime() - Date.now())).toBeLessThan(1_000);
    const before = clock.now().getTime();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(clock.now().getTime()).toBeGreaterThan(before);
    expect(Math.abs(new Clock().now().getTime() - Date.now())).toBeLessThan(1_000);
  });
});

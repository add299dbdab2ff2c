import { Injectable } from '@nestjs/common';

/**
 * The time as the broker's rules read it (sessions, business hours, acknowledgement deadlines): one
 * place to stand another time in. With CLOCK_START (refused in production) the clock starts at that
 * instant when the process starts and runs on in real time, so that a test or the demonstration can
 * publish on a Saturday night whatever the day.
 */
@Injectable()
export class Clock {
  private readonly offsetMs: number;

  constructor(start: Date | null = null) {
    this.offsetMs = start === null ? 0 : start.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/**
 * The real time, whatever CLOCK_START says: what a person's authenticator app and a session's
 * idle and total limits are measured against.
 */
@Injectable()
export class WallClock extends Clock {
  constructor() {
    super(null);
  }
}

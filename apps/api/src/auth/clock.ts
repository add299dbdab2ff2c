import { Injectable } from '@nestjs/common';

/** The time as the session rules read it: one place to stand a fixed time in for a test. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

import type { AcknowledgementWay } from '@tlp-broker/domain';

/** An acknowledgement as recorded: the first one stands. */
export interface AcknowledgementView {
  itemId: string;
  organisationId: string;
  acknowledgedAt: Date;
  /** The person (or, through an organisation's own channel, the organisation) that acknowledged. */
  acknowledgedBy: string;
  via: AcknowledgementWay;
  /** True when the organisation had acknowledged already: nothing new was recorded. */
  already: boolean;
}

/** One recipient organisation of an urgent item, as the team follows it. */
export interface RecipientAcknowledgementView {
  organisationId: string;
  organisation: string;
  requestedAt: Date;
  /** When the item first reached one of its channels (null: not yet). */
  deliveredAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  via: AcknowledgementWay | null;
  /** Unacknowledged: seconds since the item first reached it (or since it was asked, when it has not yet). */
  waitingSeconds: number | null;
  /** 0: none yet; 1: re-sent to its on-call channels and paging hook; 2: the team's duty officer told. */
  escalationStep: number;
  /** When the next escalation step is due (null once acknowledged or fully escalated). */
  nextStepAt: Date | null;
}

export interface ItemAcknowledgementsView {
  itemId: string;
  acknowledged: number;
  waiting: number;
  recipients: RecipientAcknowledgementView[];
}

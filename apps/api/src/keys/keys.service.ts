import { Injectable } from '@nestjs/common';
import { KeyInUse, OrganisationRepository } from '@tlp-broker/persistence';
import { keyView, KeyView } from '../organisations/organisation-views';

export interface KeyReportRow extends KeyView {
  organisationId: string;
  organisation: string;
  contactId: string | null;
  contact: string | null;
  /** Whole days until expiry (negative: expired), null when the key does not expire. */
  daysLeft: number | null;
}

const DAY_MS = 86_400_000;

/** Keys in use and their expiry: the renewal report administrators work from. */
@Injectable()
export class KeysService {
  constructor(private readonly organisations: OrganisationRepository) {}

  /** The keys channels use, soonest expiry first (then by organisation); within `expiringWithinDays` when given. */
  async report(expiringWithinDays?: number, now = Date.now()): Promise<KeyReportRow[]> {
    const horizon = expiringWithinDays === undefined ? null : now + expiringWithinDays * DAY_MS;
    return (await this.organisations.keysInUse())
      .filter(({ key }) => horizon === null || (key.expiresAt !== null && key.expiresAt.getTime() <= horizon))
      .map((inUse) => reportRow(inUse, now))
      .sort(
        (a, b) =>
          (a.expiresAt?.getTime() ?? Infinity) - (b.expiresAt?.getTime() ?? Infinity) ||
          a.organisation.localeCompare(b.organisation),
      );
  }
}

function reportRow({ key, organisation, contact }: KeyInUse, now: number): KeyReportRow {
  return {
    ...keyView(key),
    organisationId: key.organisationId,
    organisation: organisation ?? key.organisationId,
    contactId: key.contactId,
    contact: key.contactId ? contact : null,
    daysLeft: key.expiresAt === null ? null : Math.floor((key.expiresAt.getTime() - now) / DAY_MS),
  };
}

import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@tlp-broker/config';
import { Availability, BusinessHours, availability, parseBusinessHours } from '@tlp-broker/hours';
import type { DutyContext, PolicyItem } from '@tlp-broker/tlp';
import { onCallOrganisations } from './policy-input';
import type { RoutingTarget } from './partner-directory';
import { ClosureEntity } from './entities';
import { BusinessHoursRepository, RegisteredHours } from './repositories/business-hours.repository';

/** Whether someone is at work, with what it was computed from. */
export interface AvailabilityAt extends Availability {
  /** The organisation's name, or "the team". */
  readonly name: string;
  /** The hours used: the registered ones, or the team's with the organisation's country's holidays. */
  readonly hours: BusinessHours;
  /** False when the organisation registered none. */
  readonly registered: boolean;
  /** The closures not ended at the instant asked about, earliest first. */
  readonly closures: readonly ClosureEntity[];
}

/**
 * Whether an organisation, or the team, is in its business hours at an instant, and when it next
 * is. An organisation that registered no hours keeps the team's time zone and week, closed on its
 * own country's public holidays (the team's calendar when it has no country, or one unknown to the
 * holiday calendar).
 */
@Injectable()
export class Availabilities {
  /** The team's hours with a country's public holidays, by country (they only change with the configuration). */
  private readonly teamHoursIn = new Map<string, BusinessHours>();

  constructor(
    private readonly repository: BusinessHoursRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The team's hours, from its profile (TEAM_PROFILE_FILE). */
  teamHours(): BusinessHours {
    return this.config.profile.businessHours;
  }

  async ofTeam(at: Date, tx?: EntityManager): Promise<AvailabilityAt> {
    const closures = await this.repository.closuresOf(null, at, tx);
    const hours = this.teamHours();
    return { ...availability(hours, closures, at), name: 'the team', hours, registered: true, closures };
  }

  /** Of each of `ids` that exists. */
  async ofOrganisations(ids: readonly string[], at: Date, tx?: EntityManager): Promise<Map<string, AvailabilityAt>> {
    const [registered, closures] = await Promise.all([
      this.repository.hoursOf(ids, tx),
      this.repository.closuresFor(ids, at, tx),
    ]);
    const result = new Map<string, AvailabilityAt>();
    for (const [id, row] of registered) {
      const hours = this.effectiveHours(row);
      const own = closures.get(id) ?? [];
      result.set(id, {
        ...availability(hours, own, at),
        name: row.name,
        hours,
        registered: row.businessHours !== null,
        closures: own,
      });
    }
    return result;
  }

  async ofOrganisation(id: string, at: Date, tx?: EntityManager): Promise<AvailabilityAt | null> {
    return (await this.ofOrganisations([id], at, tx)).get(id) ?? null;
  }

  /**
   * For an urgent item at `at`: whether each organisation's on-call channels are wanted — it is
   * outside its business hours — with the reason in words for the decisions.
   */
  async dutyAt(ids: readonly string[], at: Date, tx?: EntityManager): Promise<Map<string, DutyContext>> {
    const found = await this.ofOrganisations(ids, at, tx);
    return new Map([...found].map(([id, state]) => [id, dutyOf(state)]));
  }

  /**
   * What routing, a preview and an explanation hand the engine about duty: for an urgent item, the
   * duty of each organisation among `targets` with an on-call channel; for any other, nothing.
   */
  async dutyFor(subject: PolicyItem, targets: readonly RoutingTarget[], at: Date, tx?: EntityManager) {
    if (!subject.urgent) return new Map<string, DutyContext>();
    return this.dutyAt(onCallOrganisations(targets), at, tx);
  }

  private effectiveHours(row: RegisteredHours): BusinessHours {
    if (row.businessHours) return row.businessHours;
    if (!row.country) return this.teamHours();
    let hours = this.teamHoursIn.get(row.country);
    if (!hours) {
      // Checking the country's calendar is the costly part: done once per country, not per partner.
      const own = parseBusinessHours({ ...this.teamHours(), holidays: { country: row.country } });
      hours = 'hours' in own ? own.hours : this.teamHours();
      this.teamHoursIn.set(row.country, hours);
    }
    return hours;
  }
}

/** "Europol EC3 is not at work (outside business hours: Saturday 23:40 in Europe/Amsterdam)" */
export function dutyOf(state: AvailabilityAt): DutyContext {
  const why = state.reason.replace(/\.$/, '');
  const lowered = why.charAt(0).toLowerCase() + why.slice(1);
  return state.open
    ? { needed: false, reason: `${state.name} is at work (${lowered})` }
    : { needed: true, reason: `${state.name} is not at work (${lowered})` };
}

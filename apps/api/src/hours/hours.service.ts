import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BusinessHours, describeBusinessHours, parseBusinessHours, publicHolidays } from '@tlp-broker/hours';
import {
  AuditLog,
  Availabilities,
  AvailabilityAt,
  BusinessHoursRepository,
  ClosureEntity,
  OrganisationRepository,
  Transactions,
} from '@tlp-broker/persistence';
import { invalidField, invalidFields } from '../common/errors';
import { Clock } from '@tlp-broker/config';
import { StaffPrincipal } from '../auth/principal';
import { BusinessHoursDto, ClosureDto } from './hours.dto';
import { AvailabilityView, BusinessHoursView, ClosureView } from './hours-views';

/** Whose hours: an organisation's, or (null) the team's. */
type Owner = string | null;

/** The longest closure an administrator may add in one go. */
const MAX_CLOSURE_DAYS = 366;

/**
 * Business hours and closures of partner organisations and of the team, and whether they are at
 * work at an instant. Every change is audited with what it was and what it became.
 */
@Injectable()
export class HoursService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly organisations: OrganisationRepository,
    private readonly repository: BusinessHoursRepository,
    private readonly availabilities: Availabilities,
    private readonly clock: Clock,
  ) {}

  async hours(owner: Owner): Promise<BusinessHoursView> {
    const now = this.clock.now();
    const found = await this.availabilityOf(owner, now);
    return this.hoursView(owner, found, now);
  }

  async availability(owner: Owner, at: string | undefined): Promise<AvailabilityView> {
    const instant = at === undefined ? this.clock.now() : new Date(at);
    const found = await this.availabilityOf(owner, instant);
    const { hours, registered, open, state, reason, localTime, holiday, closesAt, nextOpenAt } = found.availability;
    return {
      organisationId: owner,
      name: found.name,
      at: instant,
      open,
      state,
      reason,
      localTime,
      timeZone: hours.timeZone,
      holiday,
      closesAt,
      nextOpenAt,
      registered,
    };
  }

  /** Registers an organisation's hours (null: back to the team's). */
  async setHours(
    organisationId: string,
    dto: BusinessHoursDto | null,
    actor: StaffPrincipal,
  ): Promise<BusinessHoursView> {
    const hours = dto === null ? null : checked(dto);
    await this.transactions.run(async (tx) => {
      const organisation = await this.organisations.lockForUpdate(organisationId, tx);
      if (!organisation) throw new NotFoundException(`organisation ${organisationId} not found`);
      if (JSON.stringify(organisation.businessHours) === JSON.stringify(hours)) return;
      await this.repository.setHours(organisationId, hours, tx);
      await this.audited(tx, actor, 'organisation.hours-updated', organisationId, {
        businessHours: { from: organisation.businessHours, to: hours },
      });
    });
    return this.hours(organisationId);
  }

  async addClosure(owner: Owner, dto: ClosureDto, actor: StaffPrincipal): Promise<ClosureView> {
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    if (endsAt <= startsAt) throw invalidField('endsAt', 'must be after startsAt');
    if (endsAt.getTime() - startsAt.getTime() > MAX_CLOSURE_DAYS * 86_400_000)
      throw invalidField('endsAt', `a closure lasts at most ${MAX_CLOSURE_DAYS} days`);
    const closure = await this.transactions.run(async (tx) => {
      await this.requireOwner(owner, tx);
      const added = await this.repository.addClosure(
        { organisationId: owner, startsAt, endsAt, reason: dto.reason, createdBy: `user:${actor.userId}` },
        tx,
      );
      await this.audited(tx, actor, 'closure.added', owner, {
        closureId: added.id,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        reason: dto.reason,
      });
      return added;
    });
    return closureView(closure);
  }

  async removeClosure(owner: Owner, closureId: string, actor: StaffPrincipal): Promise<void> {
    await this.transactions.run(async (tx) => {
      const closure = await this.repository.findClosure(owner, closureId, tx);
      if (!closure) throw new NotFoundException(`closure ${closureId} not found`);
      await this.repository.removeClosure(closureId, tx);
      await this.audited(tx, actor, 'closure.removed', owner, {
        closureId,
        startsAt: closure.startsAt.toISOString(),
        endsAt: closure.endsAt.toISOString(),
        reason: closure.reason,
      });
    });
  }

  private async availabilityOf(owner: Owner, at: Date): Promise<{ name: string; availability: AvailabilityAt }> {
    if (owner === null) return { name: 'the team', availability: await this.availabilities.ofTeam(at) };
    const availability = await this.availabilities.ofOrganisation(owner, at);
    if (!availability) throw new NotFoundException(`organisation ${owner} not found`);
    return { name: availability.name, availability };
  }

  private hoursView(owner: Owner, found: { name: string; availability: AvailabilityAt }, now: Date): BusinessHoursView {
    const { hours, registered, closures } = found.availability;
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: hours.timeZone, year: 'numeric' }).format(now));
    return {
      organisationId: owner,
      name: found.name,
      registered,
      timeZone: hours.timeZone,
      week: { ...hours.week } as BusinessHoursView['week'],
      holidays: hours.holidays,
      description: describeBusinessHours(hours),
      closures: closures.map(closureView),
      publicHolidays: hours.holidays
        ? [...publicHolidays(hours.holidays, year), ...publicHolidays(hours.holidays, year + 1)]
        : [],
    };
  }

  private async requireOwner(owner: Owner, tx: EntityManager): Promise<void> {
    if (owner !== null && !(await this.organisations.lockForUpdate(owner, tx)))
      throw new NotFoundException(`organisation ${owner} not found`);
  }

  private async audited(
    tx: EntityManager,
    actor: StaffPrincipal,
    action: string,
    owner: Owner,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.append(tx, {
      actor: `user:${actor.userId}`,
      action,
      subjectType: owner === null ? 'team' : 'organisation',
      subjectId: owner ?? 'team',
      details,
    });
  }
}

/** The DTO's shape is checked by class-validator; the time zone, calendar and spans by the hours rules. */
function checked(dto: BusinessHoursDto): BusinessHours {
  const parsed = parseBusinessHours(JSON.parse(JSON.stringify(dto)));
  if ('problems' in parsed)
    throw invalidFields(
      parsed.problems.map((problem) => {
        const [field, ...rest] = problem.split(' ');
        return { field: field!, message: rest.join(' ') };
      }),
    );
  return parsed.hours;
}

function closureView(closure: ClosureEntity): ClosureView {
  return {
    id: closure.id,
    startsAt: closure.startsAt,
    endsAt: closure.endsAt,
    reason: closure.reason,
    createdBy: closure.createdBy,
    createdAt: closure.createdAt,
  };
}

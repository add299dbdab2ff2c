import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllowList, vetWebhookAddress } from '@tlp-broker/channels';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import {
  AuditLog,
  isUniqueViolation,
  OrganisationRepository,
  PartnerFeedChanges,
  PartnerFeedEntity,
  PartnerFeedRepository,
  Transactions,
} from '@tlp-broker/persistence';
import { StaffPrincipal } from '../auth/principal';
import { invalidField } from '../common/errors';
import { requireSomeField } from '../common/validators';
import { CreatePartnerFeedDto, UpdatePartnerFeedDto } from './partner-feeds.dto';
import { partnerFeedView, PartnerFeedView } from './partner-feed-view';

const CHANGEABLE = ['name', 'url', 'authorization', 'intervalSeconds', 'status'] as const;
const PLAIN_FIELDS = ['name', 'url', 'intervalSeconds', 'status'] as const;

type Changes = Record<string, unknown>;

/**
 * Partners' own feeds (a TAXII 2.1 collection, a MISP feed) that the dispatcher polls, each new
 * object or event becoming a submission from that partner. Administrators register and change
 * them, each change audited; the URL is vetted as a webhook address is (https unless allow-listed,
 * no credentials in it, no private, loopback or link-local address), and the dispatcher vets it
 * again before every request. The Authorization header is stored for the dispatcher only: no
 * answer and no audit event ever carries it.
 */
@Injectable()
export class PartnerFeedsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly feeds: PartnerFeedRepository,
    private readonly organisations: OrganisationRepository,
  ) {}

  async create(dto: CreatePartnerFeedDto, actor: StaffPrincipal): Promise<PartnerFeedView> {
    if (!(await this.organisations.findById(dto.organisationId)))
      throw invalidField('organisationId', `no organisation ${dto.organisationId} is registered`);
    const url = await this.vetUrl(dto.url);
    const feed = await this.withUniqueUrl(() =>
      this.transactions.run(async (tx) => {
        const row = await this.feeds.insert(
          {
            organisationId: dto.organisationId,
            kind: dto.kind,
            name: dto.name.trim(),
            url,
            authorizationHeader: dto.authorization ?? null,
            intervalSeconds: dto.intervalSeconds,
          },
          tx,
        );
        await this.record(tx, actor, 'partner-feed.created', row.id, {
          organisationId: row.organisationId,
          kind: row.kind,
          name: row.name,
          url: row.url,
          intervalSeconds: row.intervalSeconds,
          authorization: row.authorizationHeader !== null,
        });
        return row;
      }),
    );
    return this.get(feed.id);
  }

  async list(): Promise<PartnerFeedView[]> {
    return this.views(await this.feeds.list());
  }

  async get(id: string): Promise<PartnerFeedView> {
    const feed = await this.feeds.byId(id);
    if (!feed) throw new NotFoundException(`partner feed ${id} not found`);
    const [view] = await this.views([feed]);
    return view;
  }

  async update(id: string, dto: UpdatePartnerFeedDto, actor: StaffPrincipal): Promise<PartnerFeedView> {
    requireSomeField(dto, CHANGEABLE);
    const url = dto.url === undefined ? undefined : await this.vetUrl(dto.url);
    await this.withUniqueUrl(() =>
      this.transactions.run(async (tx) => {
        const feed = await this.feeds.lockById(id, tx);
        if (!feed) throw new NotFoundException(`partner feed ${id} not found`);
        const { values, changes } = changesTo(feed, { ...dto, ...(url === undefined ? {} : { url }) });
        if (Object.keys(changes).length === 0) return;
        await this.feeds.update(id, values, tx);
        await this.record(tx, actor, 'partner-feed.changed', id, changes);
      }),
    );
    return this.get(id);
  }

  /** Due at once: the next dispatcher to look takes it (after the poll under way, if any). */
  async pollNow(id: string, actor: StaffPrincipal): Promise<PartnerFeedView> {
    await this.transactions.run(async (tx) => {
      const feed = await this.feeds.lockById(id, tx);
      if (!feed) throw new NotFoundException(`partner feed ${id} not found`);
      if (feed.status !== 'active') throw new ConflictException('this feed is suspended: reinstate it to poll it');
      const organisation = await this.organisations.findById(feed.organisationId, tx);
      if (organisation?.status !== 'active')
        throw new ConflictException(
          `${organisation?.name ?? 'its organisation'} is suspended: its feeds are not polled`,
        );
      await this.feeds.pollNow(id, tx);
      await this.record(tx, actor, 'partner-feed.poll-requested', id, {});
    });
    return this.get(id);
  }

  private async views(feeds: readonly PartnerFeedEntity[]): Promise<PartnerFeedView[]> {
    const ids = feeds.map((feed) => feed.id);
    const [names, counts] = await Promise.all([
      this.organisations.organisationNames(feeds.map((feed) => feed.organisationId)),
      this.feeds.intakeCounts(ids),
    ]);
    const now = new Date();
    return feeds.map((feed) => partnerFeedView(feed, names.get(feed.organisationId) ?? '', counts.get(feed.id), now));
  }

  /**
   * The URL as it will be called: absolute, its path ending in "/" (a TAXII collection's URL does;
   * a MISP feed's files are resolved under it), and callable under the webhook address policy.
   */
  private async vetUrl(text: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(text.trim());
    } catch {
      throw invalidField('url', 'not an absolute URL');
    }
    if (url.username !== '' || url.password !== '')
      throw invalidField('url', 'a feed URL must not carry credentials: give them as authorization');
    if (url.search !== '' || url.hash !== '')
      throw invalidField('url', 'a feed URL has no query or fragment (the collection or the folder of manifest.json)');
    if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
    const check = await vetWebhookAddress(url.toString(), new AllowList(this.config.webhooks.allowList));
    if (!check.ok) throw invalidField('url', `refused: ${check.reason.replace(/\b(a )?webhook\b/g, '$1feed URL')}`);
    return check.url;
  }

  private async withUniqueUrl<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('this organisation already has a feed at this URL');
      throw error;
    }
  }

  private record(tx: EntityManager, actor: StaffPrincipal, action: string, id: string, details: Changes) {
    return this.audit.append(tx, {
      actor: `user:${actor.userId}`,
      action,
      subjectType: 'partner-feed',
      subjectId: id,
      details,
    });
  }
}

/**
 * The fields the request changes, each with what it was and what it becomes; the Authorization
 * header only as set, replaced or removed (its value never reaches the audit trail). A new URL resets the
 * cursor: it is another collection.
 */
function changesTo(
  feed: PartnerFeedEntity,
  dto: UpdatePartnerFeedDto,
): { values: PartnerFeedChanges; changes: Changes } {
  const values: Record<string, unknown> = {};
  const changes: Changes = {};
  for (const field of PLAIN_FIELDS) {
    const value = field === 'name' ? dto.name?.trim() : dto[field];
    if (value === undefined || value === feed[field]) continue;
    values[field] = value;
    changes[field] = { from: feed[field], to: value };
  }
  if (dto.authorization !== undefined && dto.authorization !== feed.authorizationHeader) {
    values.authorizationHeader = dto.authorization;
    changes.authorization =
      feed.authorizationHeader === null ? 'set' : dto.authorization === null ? 'removed' : 'replaced';
  }
  if (changes.url) changes.cursor = 'reset';
  return { values: values as PartnerFeedChanges, changes };
}

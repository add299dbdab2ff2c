export const ORGANISATION_KINDS = ['lea', 'cert', 'csirt', 'soc', 'isac', 'government', 'private'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** `constituent`: a client the team serves (an investigation unit); `peer`: another team (EC3, a national CERT). */
export const RELATIONS = ['constituent', 'peer'] as const;
export type Relation = (typeof RELATIONS)[number];

/** Of an organisation, a contact, a channel, a team member. */
export const PARTNER_STATUSES = ['active', 'suspended'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

/**
 * How a recipient is reached. `public` is the broker's own unauthenticated TLP:CLEAR feed; `pager`
 * is an organisation's paging hook (a webhook to its SMS or pager gateway), which never carries content.
 */
export const CHANNEL_KINDS = ['feed', 'email', 'webhook', 'public', 'pager'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** What a partner credential opens: the JSON feed, TAXII 2.1, the MISP feed, submissions. */
export const PARTNER_SCOPES = ['feed', 'taxii', 'misp', 'submit'] as const;
export type PartnerScope = (typeof PARTNER_SCOPES)[number];

/**
 * What a user may do: a team member's roles (admin, analyst, approver), or `reporter`, a contact's
 * portal account (reporting forms and the status of its own reports, nothing else). A reporter
 * holds no other role, and no team member is a reporter: the database keeps the two apart.
 */
export const ROLES = ['admin', 'analyst', 'approver', 'reporter'] as const;
export type Role = (typeof ROLES)[number];

/** Team members' roles. */
export type StaffRole = Exclude<Role, 'reporter'>;
export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'analyst', 'approver'];

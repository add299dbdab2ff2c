import { PartnerScope, Role } from '@tlp-broker/domain';

/** Who is calling: a member of the team, or a partner pulling through one of its channels. */
export type Principal =
  | { readonly kind: 'staff'; readonly userId: string; readonly name: string; readonly roles: readonly Role[] }
  | {
      readonly kind: 'partner';
      readonly channelId: string;
      readonly organisationId: string;
      readonly contactId: string | null;
      readonly apiKeyId: string;
      readonly scopes: readonly PartnerScope[];
    };

export type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;
export type PartnerPrincipal = Extract<Principal, { kind: 'partner' }>;

export { ITEM_KINDS, ITEM_STATES, SEVERITIES, INDICATOR_TYPES, isItemKind } from './items';
export type { ItemKind, ItemState, Severity, IndicatorType, Indicator, Audience } from './items';
export { ORGANISATION_KINDS, RELATIONS, PARTNER_STATUSES, CHANNEL_KINDS, PARTNER_SCOPES, ROLES } from './partners';
export type { OrganisationKind, Relation, PartnerStatus, ChannelKind, PartnerScope, Role } from './partners';
export {
  DELIVERY_STATES,
  OPEN_DELIVERY_STATES,
  CANCELLABLE_DELIVERY_STATES,
  HANDED_OVER_DELIVERY_STATES,
  DELIVERY_KINDS,
  isOpenDeliveryState,
} from './deliveries';
export type { DeliveryState, DeliveryKind } from './deliveries';

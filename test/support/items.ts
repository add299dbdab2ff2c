export { publishItem, feedItemIds, waitForDeliveries, waitForRouting, itemBody } from '@tlp-broker/harness';
export type { ItemSpec } from '@tlp-broker/harness';

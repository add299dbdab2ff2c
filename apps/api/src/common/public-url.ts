import { AppConfig } from '@tlp-broker/config';

/**
 * An absolute link to `path` (starting with "/") on the broker, as partners reach it: always under
 * PUBLIC_URL. Never built from a request: its Host and X-Forwarded-* headers say whatever the
 * client wants, and these links end up in documents signed with the team key and in feeds.
 */
export function publicLink(config: AppConfig, path: `/${string}`): string {
  return `${config.http.publicUrl}${path}`;
}

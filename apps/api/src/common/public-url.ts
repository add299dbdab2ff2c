import type { Request } from 'express';
import { AppConfig } from '@tlp-broker/config';

/** Where partners reach the broker: PUBLIC_URL when set, else the scheme and host of the request. */
export function publicBase(config: AppConfig, request: Request): string {
  return config.http.publicUrl ?? `${request.protocol}://${request.get('host')}`;
}

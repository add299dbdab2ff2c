import { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { API_REDIS_PROVIDERS } from '../redis/api-redis';
import { ApiKeyGuard } from './api-key.guard';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { AuthenticationService } from './authentication.service';
import { PartnerRateLimit } from './partner-rate-limit';

/** The guard every route passes, with its parts and the Redis connection its limits count in. */
export const AUTH_PROVIDERS: Provider[] = [
  { provide: APP_GUARD, useClass: ApiKeyGuard },
  AuthFailureThrottle,
  AuthenticationService,
  PartnerRateLimit,
  ...API_REDIS_PROVIDERS,
];

import { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { API_REDIS_PROVIDERS } from '../redis/api-redis';
import { ApiKeyGuard } from './api-key.guard';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { AuthenticationService } from './authentication.service';
import { PartnerRateLimit } from './partner-rate-limit';
import { SessionService } from './sessions.service';
import { SignInService } from './sign-in.service';
import { SignInThrottle } from './sign-in-throttle';
import { TotpEnrolmentService } from './totp-enrolment.service';

/**
 * The guard every route passes, with its parts (API keys, console sessions) and the Redis
 * connection its limits count in; signing in and enrolling an authenticator.
 */
export const AUTH_PROVIDERS: Provider[] = [
  { provide: APP_GUARD, useClass: ApiKeyGuard },
  AuthFailureThrottle,
  AuthenticationService,
  PartnerRateLimit,
  SessionService,
  SignInService,
  SignInThrottle,
  TotpEnrolmentService,
  ...API_REDIS_PROVIDERS,
];

/**
 * Watching the broker run: the correlation id of the work in progress (carried into every log
 * line), Prometheus metrics, readiness checks of the parts a process depends on.
 */
export {
  runWithCorrelation,
  currentCorrelationId,
  newCorrelationId,
  acceptCorrelationId,
  SAFE_CORRELATION_ID,
} from './correlation';
export { Metrics } from './metrics';
export type { MetricsOptions } from './metrics';
export type { WatchedQueue } from './queue-reading';
export { ObservabilityModule } from './observability.module';
export { bearerTokenMatches } from './metrics-token';
export { checkReadiness, postgresCheck, redisCheck, smtpCheck, READINESS_TIMEOUT_MS } from './readiness';
export type { ReadinessCheck, ReadinessReport, PartHealth, SmtpRelay } from './readiness';

import { Provider } from '@nestjs/common';
import { AdminSessions } from './admin-sessions';
import { MetricsGuard } from './metrics.guard';
import { QueueDashboard } from './queue-dashboard';
import { WatchedQueues } from './watched-queues';

/** The API's side of watching the broker run: metrics access, the queues reported and the queue dashboard. */
export const OBSERVABILITY_PROVIDERS: Provider[] = [AdminSessions, MetricsGuard, WatchedQueues, QueueDashboard];

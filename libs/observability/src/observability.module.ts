import { Global, Logger, Module } from '@nestjs/common';
import { Metrics } from './metrics';

/** One `Metrics` per process, for every module of the app that imports this once. */
@Global()
@Module({
  providers: [
    {
      provide: Metrics,
      useFactory: () => {
        const logger = new Logger('Metrics');
        return new Metrics({
          onQueueReadingError: (error) =>
            logger.warn(
              `queue metrics left out of this scrape: ${error instanceof Error ? error.message : String(error)}`,
            ),
        });
      },
    },
  ],
  exports: [Metrics],
})
export class ObservabilityModule {}

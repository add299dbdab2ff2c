import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { AppConfig } from './config';
import { Clock, WallClock } from './clock';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Injects the validated AppConfig: `constructor(@InjectConfig() config: AppConfig)`. */
export const InjectConfig = (): ParameterDecorator => Inject(APP_CONFIG);

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useFactory: () => new Clock(config.clockStart) },
        WallClock,
      ],
      exports: [APP_CONFIG, Clock, WallClock],
    };
  }
}

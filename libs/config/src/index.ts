export { loadConfig, loadDatabaseUrl, loadDemoSettings, ConfigError } from './config';
export type { AppConfig } from './config';
export type { TeamProfile } from './team-profile';
export { ConfigModule, APP_CONFIG, InjectConfig } from './config.module';
export { createLogger } from './logger';

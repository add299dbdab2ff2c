export { StartupError, runProcess } from './startup';
export {
  loadConfig,
  loadDatabaseUrl,
  loadDatabaseRoleUrls,
  loadAuditKey,
  loadDemoSettings,
  ConfigError,
} from './config';
export { deriveAuditKey } from './audit-key';
export type { AuditKey, AuditKeySource } from './audit-key';
export type { AppConfig, Deadlines } from './config';
export type { TeamProfile } from './team-profile';
export { ConfigModule, APP_CONFIG, InjectConfig } from './config.module';
export { createLogger } from './logger';
export { Clock, WallClock } from './clock';

import type { DataSource } from 'typeorm';

interface PreparingPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs one of the few queries every request makes (the credential check, the feed's state) as a
 * named prepared statement, outside any transaction: each pooled connection has PostgreSQL parse
 * and plan it once, instead of on every request (planning a join of five tables costs more than
 * running it). `name` must be unique to `text`.
 */
export async function queryPrepared<T>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  // TypeORM's PostgreSQL driver keeps node-postgres's pool as `master`; its query takes a name.
  const pool = (dataSource.driver as unknown as { master: PreparingPool }).master;
  return (await pool.query({ name, text, values })).rows as T[];
}

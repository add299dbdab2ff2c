/** PostgreSQL refused a row because a unique index already holds its value (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const failure = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  return failure?.code === '23505' || failure?.driverError?.code === '23505';
}

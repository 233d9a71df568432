/** True when a query failed on a UNIQUE constraint (optionally a given one), whichever driver raised it. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  // Drizzle wraps driver errors; node-postgres and PGlite both expose SQLSTATE as `code`.
  for (let current = error; current instanceof Object; current = (current as { cause?: unknown }).cause) {
    const { code, constraint: name } = current as { code?: string; constraint?: string };
    if (code === '23505') return constraint === undefined || name === constraint || String((current as Error).message).includes(constraint);
  }
  return false;
}

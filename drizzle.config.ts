import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new SQL migration after a change to a *.table.ts file; commit it.
export default defineConfig({
  dialect: 'postgresql',
  // Every table lives beside its feature as *.table.ts; the service's own code never needs them all at once.
  schema: './src/modules/**/*.table.ts',
  out: './src/db/migrations',
});

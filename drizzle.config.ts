import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new SQL migration after a change to a *.table.ts file; commit it.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './src/db/migrations',
});

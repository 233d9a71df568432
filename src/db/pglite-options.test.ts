import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from './database.ts';
import { openPglite } from './pglite.ts';
import { createClusterOnce } from './pglite-options.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-pglite-options-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the embedded database', () => {
  it('creates a new data directory\'s cluster in a child process, atomically, and leaves an existing one alone', async () => {
    const directory = path.join(root, 'a', 'pgdata');
    fs.mkdirSync(path.dirname(directory), { recursive: true });
    await createClusterOnce(directory);
    expect(fs.existsSync(path.join(directory, 'PG_VERSION'))).toBe(true);
    expect(fs.readdirSync(path.dirname(directory))).toEqual(['pgdata']); // no staging directory left behind
    const marker = path.join(directory, 'marker');
    fs.writeFileSync(marker, 'kept');
    await createClusterOnce(directory);
    expect(fs.readFileSync(marker, 'utf8')).toBe('kept');
  }, 120_000);

  it('opens with small shared buffers (they live in WebAssembly memory that never shrinks) and a migrated schema', async () => {
    const handle = await openPglite(path.join(root, 'b'));
    try {
      const [row] = await queryRows<{ shared_buffers: string }>(handle.db, sql`show shared_buffers`);
      expect(row?.shared_buffers).toBe('16MB');
      const [users] = await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from users`);
      expect(users?.n).toBe(0);
    } finally {
      await handle.close();
    }
  }, 120_000);
});

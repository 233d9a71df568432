import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

/**
 * Creates an embedded database cluster in the directory named by argv[2], then exits. Run as a short-lived child
 * process by pglite-options.ts: PGlite's initdb runs a second WebAssembly PostgreSQL beside the first, and the
 * process that ran it keeps ~400 MB more resident for the rest of its life.
 */
const directory = process.argv[2];
if (!directory) throw new Error('usage: pglite-initdb <directory>');
fs.mkdirSync(directory, { recursive: true });
const client = await PGlite.create(directory);
await client.close();

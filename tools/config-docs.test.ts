import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigTable, renderEnvExample } from './config-docs.ts';

// Both documents are generated from src/config/config.schema.ts: regenerate with
// `npx tsx tools/config-docs.ts env > .env.example` and `npx tsx tools/config-docs.ts` (README table).
describe('configuration documentation', () => {
  it('.env.example lists every variable the service reads', () => {
    expect(fs.readFileSync('.env.example', 'utf8').trim()).toBe(renderEnvExample().trim());
  });

  it('the README configuration table lists every variable the service reads', () => {
    expect(fs.readFileSync('README.md', 'utf8')).toContain(renderConfigTable());
  });
});

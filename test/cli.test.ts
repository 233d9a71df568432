import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../src/db/pglite.ts';
import { freePort } from '../tools/testing/free-port.ts';

const root = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A directory of its own: the CLI's cwd (no .env of the checkout) and its DATA_DIR. */
function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-cli-'));
  dirs.push(dir);
  return dir;
}

/** Runs `voip-onboarding …` as an operator would (the bin of package.json), with only `env`. */
function cli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/voip-onboarding.js'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), JWT_SECRET_KEY: 'j'.repeat(40), CREDENTIALS_ENCRYPTION_KEY: 'cd'.repeat(32), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the voip-onboarding command line', () => {
  it('doctor exits 0 with warnings alone, in words and as JSON', async () => {
    const dir = scratch();
    const result = await cli(['doctor', '--json'], { DATA_DIR: dir }, dir);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: Array<{ name: string; status: string; detail: string }> };
    expect(report.ok).toBe(true);
    const status = Object.fromEntries(report.checks.map((check) => [check.name, check.status]));
    expect(status).toEqual({ configuration: 'ok', database: 'ok', pbx: 'warning', smtp: 'warning', redis: 'ok', public_base_url: 'warning' });
    expect(report.checks.find((check) => check.name === 'smtp')!.detail).toMatch(/Set SMTP_URL/);
  }, 120_000);

  it('doctor exits 1 and says what to fix when the PBX and SMTP cannot be reached', async () => {
    const dir = scratch();
    const [pbxPort, smtpPort] = await Promise.all([freePort(), freePort()]);
    const result = await cli(['doctor'], {
      DATA_DIR: dir, FREEPBX_HOST: `http://127.0.0.1:${pbxPort}`, FREEPBX_CLIENT_ID: 'id', FREEPBX_CLIENT_SECRET: 'very-secret-value',
      SMTP_URL: `smtp://mailer:smtp-password@127.0.0.1:${smtpPort}`,
    }, dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {4}pbx: .*unreachable.*Fix the PBX settings \(FREEPBX_HOST/m);
    expect(result.stdout).toMatch(/^FAIL {4}smtp: .*Check SMTP_URL/m);
    expect(result.stdout).toMatch(/Something must be fixed/);
    expect(result.stdout + result.stderr).not.toMatch(/very-secret-value|smtp-password/);
  }, 120_000);

  it('says in words why it cannot open an embedded database the running service holds, and what to do', async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'pglite.lock'), String(process.pid)); // this live process stands for the service
    const result = await cli(['reconcile'], { DATA_DIR: dir }, dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`held by the running service (process ${process.pid})`);
    expect(result.stderr).toMatch(/stop the service.*\n.*POST \/admin\/reconcile.*\n.*DATABASE_URL/);
  }, 120_000);

  it('migrate, then import a CSV (plain progress lines off a terminal), then reconcile --json', async () => {
    const dir = scratch();
    const env = { DATA_DIR: dir, EXTENSION_RANGE: '7000-7099' };
    expect((await cli(['migrate'], env, dir)).stdout).toMatch(/migrated to the latest schema/);
    fs.writeFileSync(path.join(dir, 'staff.csv'), 'email,display_name\nana@example.test,Ana\nnot-an-email,Bad\nbob@example.test,"Bob, Jr."\n');
    const imported = await cli(['import', 'staff.csv'], env, dir);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^3\/3 rows handled$/m);
    expect(imported.stdout).toMatch(/^line 3: invalid: the email is not a valid address$/m);
    expect(imported.stdout).toMatch(/2 users created \(each mailed an invitation\), 1 invalid, 0 failed/);
    const reconciled = await cli(['reconcile', '--json'], env, dir);
    expect(reconciled.code, reconciled.stderr).toBe(0);
    expect(JSON.parse(reconciled.stdout)).toMatchObject({ driver: 'none', accounts: 2, missing_on_pbx: [], orphans_on_pbx: [], fixed: false });

    // The admin role and the user actions, as the /admin API has them.
    expect((await cli(['admin', 'grant', 'Ana@Example.test'], env, dir)).stdout).toContain('Ana@Example.test is an admin.');
    const nobody = await cli(['admin', 'grant', 'nobody@example.test'], env, dir);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^No user has the email nobody@example\.test\.$/m);
    const listed = await cli(['users', 'list', '--query', 'bob', '--json'], env, dir);
    const [bob] = JSON.parse(listed.stdout) as Array<{ id: string; email: string; is_active: boolean }>;
    expect(bob).toMatchObject({ email: 'bob@example.test', is_active: true });
    const disabled = await cli(['users', 'disable', bob!.id], env, dir);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ disabled: true });
    expect(JSON.parse((await cli(['users', 'show', bob!.id], env, dir)).stdout)).toMatchObject({ email: 'bob@example.test', is_active: false });
  }, 240_000);

  it('users list --status and --registered: the accounts a phone registered with and the live ones still waiting, with the registered time; a bad --status, --registered or --limit is refused with exit 1', async () => {
    const dir = scratch();
    const env = { DATA_DIR: dir, EXTENSION_RANGE: '7000-7099' };
    // The CLI is off the embedded database between commands: the test writes what the registration watch would record.
    const database = await openPglite(dir);
    await database.db.execute(sql`insert into users (email, password_hash) values ('waiting@example.test', 'x'), ('ringing@example.test', 'x'), ('new@example.test', 'x')`);
    await database.db.execute(sql`insert into sip_accounts (user_id, extension, secret_ciphertext, status, activated_at, registered_at, registered_user_agent)
      select id, case email when 'waiting@example.test' then '7000' when 'ringing@example.test' then '7001' else '7002' end, 'x',
        case email when 'new@example.test' then 'pending' else 'active' end, case email when 'new@example.test' then null else now() end,
        case email when 'ringing@example.test' then timestamptz '2026-01-02T03:04:05Z' end, case email when 'ringing@example.test' then 'Linphone/5.2.5' end
      from users`);
    await database.close();

    const registered = await cli(['users', 'list', '--status', 'registered'], env, dir);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toMatch(/^[0-9a-f-]{36}\tringing@example\.test\t7001\tactive\tregistered 2026-01-02T03:04:05\.000Z\n$/);
    const waiting = await cli(['users', 'list', '--status', 'active', '--registered', 'false', '--json'], env, dir);
    expect(waiting.code, waiting.stderr).toBe(0);
    expect(JSON.parse(waiting.stdout)).toMatchObject([{ email: 'waiting@example.test', status: 'active', registered_at: null, registered_user_agent: null }]);
    const unregistered = await cli(['users', 'list', '--registered', 'false'], env, dir);
    const lines = unregistered.stdout.split('\n').filter(Boolean).map((line) => line.split('\t').slice(1).join(' '));
    expect(lines.sort()).toEqual(['new@example.test 7002 pending -', 'waiting@example.test 7000 active -']); // one creation time: any order

    for (const [flag, value, message] of [
      ['--registered', 'maybe', /^--registered must be true or false\.$/m],
      ['--status', 'ringing', /^--status must be one of .*registered/m],
      ['--limit', 'ten', /^--limit must be a whole number from 1 to 1000\.$/m],
      ['--limit', '0', /^--limit must be a whole number from 1 to 1000\.$/m],
      ['--limit', '1001', /^--limit must be a whole number from 1 to 1000\.$/m],
    ] as const) {
      const refused = await cli(['users', 'list', flag, value], env, dir);
      expect([refused.code, refused.stdout]).toEqual([1, '']);
      expect(refused.stderr).toMatch(message);
    }
  }, 120_000);
});

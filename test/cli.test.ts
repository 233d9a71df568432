import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
});

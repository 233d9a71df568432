import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startCommand } from '../../tools/testing/start-command.ts';
import { requireProgram } from './support/processes.ts';
import { REPO_ROOT, runCommand } from './support/podman.ts';

/**
 * The systemd unit for a plain host (deploy/systemd): systemd's own checks, offline (CI runs no systemd as
 * PID 1). `systemd-analyze security` scores what the unit leaves open; deploy/systemd/README.md records it.
 */
const UNIT = `${REPO_ROOT}deploy/systemd/voip-onboarding-api.service`;
const EXPOSURE_LIMIT = 2.0;

describe('the systemd unit', () => {
  it('passes systemd-analyze verify with nothing to report', async () => {
    const analyze = requireProgram('systemd-analyze', 'systemd');
    const result = await runCommand(analyze, ['verify', UNIT]);
    expect(result.code, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
  });

  it(`is hardened: systemd-analyze security rates its exposure at most ${EXPOSURE_LIMIT} ("OK")`, async () => {
    const analyze = requireProgram('systemd-analyze', 'systemd');
    const result = await runCommand(analyze, ['security', '--offline=true', `--threshold=${EXPOSURE_LIMIT * 10}`, UNIT]);
    const exposure = /Overall exposure level for [^:]+: ([\d.]+)/.exec(result.stdout)?.[1];
    expect(exposure, result.stdout + result.stderr).toBeDefined();
    expect(Number(exposure)).toBeLessThanOrEqual(EXPOSURE_LIMIT);
    expect(result.code).toBe(0);
  });

  it('deploy/systemd/README.md records what systemd-analyze security says of the unit today', async () => {
    const analyze = requireProgram('systemd-analyze', 'systemd');
    const result = await runCommand(analyze, ['security', '--offline=true', UNIT]);
    const recorded = /\n```\n([\s\S]*?)\n```/.exec(readFileSync(`${REPO_ROOT}deploy/systemd/README.md`, 'utf8'))?.[1];
    const today = result.stdout.split('\n').map((line) => line.trimEnd()).join('\n').trim();
    expect(recorded?.trim()).toBe(today);
  });

  it('runs the bundle with the flags and environment of the start script, as a dynamic user, DATA_DIR in its state directory', () => {
    const unit = readFileSync(UNIT, 'utf8');
    const start = startCommand();
    expect(unit).toContain(`ExecStart=/usr/bin/node ${start.nodeFlags.join(' ')} /opt/voip-onboarding-api/dist/main.mjs`);
    expect(Object.keys(start.env).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(start.env)) expect(unit.split('\n')).toContain(`Environment=${name}=${value}`);
    for (const line of ['DynamicUser=yes', 'StateDirectory=voip-onboarding-api', 'Environment=DATA_DIR=%S/voip-onboarding-api NODE_ENV=production', 'ProtectSystem=strict', 'NoNewPrivileges=yes']) {
      expect(unit.split('\n')).toContain(line);
    }
  });
});

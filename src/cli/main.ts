import { Command } from 'commander';
import { isAppError } from '../shared/errors.ts';
import { CliError } from './cli-context.ts';
import { runDoctor, type CheckStatus } from './doctor.ts';
import { registerAdminCommands } from './admin-commands.ts';
import { importCommand, migrateCommand, reconcileCommand } from './operator-commands.ts';

const MARK: Record<CheckStatus, string> = { ok: 'ok     ', warning: 'WARNING', fail: 'FAIL   ' };

/**
 * `voip-onboarding`: the operator's command line. It reads the service's own configuration (environment and
 * .env) and works on its database directly. Exit codes: 0 done; 1 failed (or, for doctor, something must be
 * fixed); 78 the configuration is invalid.
 */
const program = new Command()
  .name('voip-onboarding')
  .description("The operator's tools for voip-onboarding-api (same configuration as the service: environment and .env).")
  .showHelpAfterError();

program
  .command('doctor')
  .description('Check the configuration, the database, the PBX, SMTP, Redis and PUBLIC_BASE_URL, and say what to fix. Exit 0 unless something must be fixed (warnings keep 0).')
  .option('--json', 'the checks as JSON')
  .action(async (options: { json?: boolean }) => {
    const checks = await runDoctor();
    const failed = checks.some((check) => check.status === 'fail');
    if (options.json) process.stdout.write(`${JSON.stringify({ ok: !failed, checks }, null, 2)}\n`);
    else {
      for (const check of checks) process.stdout.write(`${MARK[check.status]} ${check.name}: ${check.detail}\n`);
      process.stdout.write(failed ? 'Something must be fixed (see FAIL above).\n' : 'Nothing must be fixed.\n');
    }
    process.exitCode = failed ? 1 : 0;
  });

program
  .command('reconcile')
  .description('Compare the PBX with the database for EXTENSION_RANGE; --fix queues the jobs that mend missing, drifted and orphaned accounts.')
  .option('--fix', 'queue the jobs that mend what was found')
  .option('--json', 'the report as JSON')
  .action((options: { fix?: boolean; json?: boolean }) => reconcileCommand({ fix: options.fix === true, json: options.json === true }));

program
  .command('import')
  .description('Import users from a CSV file (email,display_name[,extension]); each is mailed an invitation to choose a password.')
  .argument('<file>', 'the CSV file')
  .option('--json', 'the per-row results as JSON')
  .action((file: string, options: { json?: boolean }) => importCommand(file, { json: options.json === true }));

registerAdminCommands(program);

program.command('migrate').description('Bring the database schema up to date (the service also does this at start).').action(() => migrateCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof CliError || isAppError(error) ? error.message : `voip-onboarding failed: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
}

import fs from 'node:fs';
import { reportBody } from '../modules/reconcile/reconcile.routes.ts';
import { openDatabase } from '../db/open-database.ts';
import { CliError, explainDatabaseError, readConfig, withService } from './cli-context.ts';

const print = (line = '') => process.stdout.write(`${line}\n`);

export async function reconcileCommand({ fix, json }: { fix: boolean; json: boolean }): Promise<void> {
  await withService(async (deps) => {
    const report = await deps.operator.reconcile({ fix });
    await deps.operator.audit.record({ actorId: null, action: fix ? 'reconcile.fix' : 'reconcile.report', detail: { via: 'cli', jobs: report.jobsQueued } });
    if (json) return print(JSON.stringify(reportBody(report), null, 2));
    print(`PBX (${report.driver}) against this database, numbers ${report.range.first}-${report.range.last}: ${report.pbxAccounts} on the PBX, ${report.accounts} here.`);
    const section = (title: string, items: Array<{ extension: string }>) => print(`${title}: ${items.length ? items.map((item) => item.extension).join(', ') : 'none'}`);
    section('missing on the PBX', report.missingOnPbx);
    section('secret differs on the PBX', report.secretDrift);
    section('orphans on the PBX (made here, no account)', report.orphansOnPbx);
    section("someone else's (reserved here, never touched)", report.foreign);
    section('still being provisioned (left alone)', report.inFlight);
    if (fix) print(`${report.jobsQueued} jobs queued: the service's worker carries them out (on FreePBX, with one Apply Config).`);
    else if (report.missingOnPbx.length + report.secretDrift.length + report.orphansOnPbx.length > 0) print('Run again with --fix to mend them.');
  });
}

export async function importCommand(file: string, { json }: { json: boolean }): Promise<void> {
  if (!fs.existsSync(file)) throw new CliError(`No such file: ${file}`);
  const csv = fs.readFileSync(file, 'utf8');
  await withService(async (deps) => {
    const { id, done } = await deps.operator.imports.start({ csv, createdBy: null });
    await deps.operator.audit.record({ actorId: null, action: 'users.import', target: id, detail: { via: 'cli' } });
    const tty = process.stdout.isTTY && !json;
    let finished = false;
    void done.finally(() => (finished = true));
    let lastShown = -1;
    for (;;) {
      const progress = await deps.operator.importProgress(id);
      const handled = progress.total - progress.counts.pending;
      if (tty) {
        const width = 30;
        const filled = progress.total ? Math.round((handled / progress.total) * width) : width;
        process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${handled}/${progress.total} rows`);
      } else if (!json && (handled === progress.total || handled - lastShown >= Math.max(1, Math.ceil(progress.total / 10)))) {
        print(`${handled}/${progress.total} rows handled`);
        lastShown = handled;
      }
      if (finished) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    if (tty) print();
    const progress = await deps.operator.importProgress(id);
    if (json) return print(JSON.stringify({ id, counts: progress.counts, rows: progress.rows }, null, 2));
    for (const row of progress.rows) if (row.status === 'invalid' || row.status === 'failed') print(`line ${row.line}: ${row.status}: ${row.error}`);
    print(`Import ${id}: ${progress.counts.created} users created (each mailed an invitation), ${progress.counts.invalid} invalid, ${progress.counts.failed} failed.`);
    print("Their extensions are provisioned by the service's worker; follow with GET /admin/imports/" + id + '.');
  });
}

export async function migrateCommand(): Promise<void> {
  const config = readConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 }).catch((error: unknown) => explainDatabaseError(error, config));
  await database.close();
  print(`The ${database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL database'} is migrated to the latest schema.`);
}

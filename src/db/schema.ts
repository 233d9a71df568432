// Every table, for Drizzle's query builder and drizzle-kit's migration generator.
export * from '../modules/users/users.table.ts';
export * from '../modules/sip-accounts/sip-accounts.table.ts';
export * from '../modules/provisioning-jobs/jobs.table.ts';
export * from '../modules/provisioning-jobs/apply-lease.table.ts';
export * from '../modules/provisioning/provisioning-links.table.ts';

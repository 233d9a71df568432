// Architecture rules, checked by `npm run lint:architecture` and by test/architecture.test.ts.
// Paths are relative to the folder cruised from (the repository root, or a fixture folder laid out
// the same way with baseDir pointing at it), so every pattern is anchored at `^`.
// CommonJS because package.json says "type": "module".

/** Test code: vitest files and the helpers named after them (`*.test-helpers.ts`, `*.test-support.ts`). */
const TEST_FILE = '\\.test\\.ts$|\\.test-[a-z-]+\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No file may depend on itself through other files (type-only imports included).',
      from: { pathNot: '(^|/)node_modules/' },
      to: { circular: true },
    },
    {
      name: 'no-circular-between-modules',
      severity: 'error',
      comment:
        'No cycle between the feature modules src/modules/<name>: module A may not depend on B while B ' +
        'depends on A, directly or through other folders. Folder-level, so approximate: a folder (with its ' +
        'sub-folders) depends on the folder of each file that its files import, and a cycle may pass ' +
        'through any folder. test/architecture.test.ts also checks the file graph with every ' +
        'src/modules/<name>/... collapsed to its module, which is exact and sees cycles through sub-folders.',
      scope: 'folder',
      from: { path: '^src/modules/([^/]+)' },
      to: { path: '^src/modules/', pathNot: '^src/modules/$1(/|$)', circular: true },
    },
    {
      name: 'src-not-to-test-tools-bench',
      severity: 'error',
      comment: 'The service never depends on tests, developer tools or benchmarks.',
      from: { path: '^src/' },
      to: { path: '^(test|tools|bench)/' },
    },
    {
      name: 'freepbx-sim-not-to-src',
      severity: 'error',
      comment: 'The FreePBX simulator stands for a third-party PBX: it shares no code with the service.',
      from: { path: '^tools/freepbx-sim/' },
      to: { path: '^src/' },
    },
    {
      name: 'provisioning-jobs-not-to-upper-modules',
      severity: 'error',
      comment:
        'Provisioning jobs sit below the modules that create them: they never reach into sip-accounts, ' +
        'auth or onboarding.',
      from: { path: '^src/modules/provisioning-jobs/' },
      to: { path: '^src/modules/(sip-accounts|auth|onboarding)/' },
    },
    {
      name: 'auth-only-to-users',
      severity: 'error',
      comment: 'Auth depends on no feature module but users (the users table and repository).',
      from: { path: '^src/modules/auth/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/(auth|users)/' },
    },
    {
      name: 'mail-to-no-feature-module',
      severity: 'error',
      comment:
        'Mail is a low-level module, like pbx: every feature may queue mails, so it imports nothing from ' +
        'another src/modules folder (its callers hand it the recipient, the template and its parameters).',
      from: { path: '^src/modules/mail/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/mail/' },
    },
    {
      name: 'src-not-to-dev-dependencies',
      severity: 'error',
      comment:
        'Service code runs with production dependencies only; devDependencies are for tests and tools.',
      from: { path: '^src/', pathNot: TEST_FILE },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // The fixture tree for test/architecture.test.ts breaks the rules on purpose.
    exclude: { path: '^test/fixtures/' },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};

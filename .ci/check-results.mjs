// Reads vitest JSON reports. Fails when any test failed, was skipped or left as todo, or when none ran;
// prints the totals as "N passed, N failed" so CI can read the outcome.
import fs from 'node:fs';

const args = process.argv.slice(2);
const total = args[0] === '--total';
const files = total ? args.slice(1) : [args[0]];
const name = total ? 'total' : args[1];
let passed = 0, failed = 0, skipped = 0;
for (const file of files) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  if (!report.success && report.numFailedTests === 0) failed += 1; // a file that failed to load counts too
}
console.log(`${name}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || skipped > 0 || passed === 0) {
  console.error(`${name}: ${skipped > 0 ? 'skipped tests are not allowed in CI' : passed === 0 ? 'no test ran' : 'tests failed'}`);
  process.exit(1);
}

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const LPCONFIG_SCHEMA_PATH = fileURLToPath(new URL('../../../../test/fixtures/lpconfig.xsd', import.meta.url));

/**
 * Runs libxml2's xmllint on a document given on stdin. A missing xmllint throws, so the tests that rely on
 * it fail loudly instead of passing without having checked anything.
 */
export function runXmllint(args: string[], document: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('xmllint', [...args, '-'], { input: document, encoding: 'utf8' });
  if (result.error) {
    throw new Error(`xmllint could not run (install libxml2-utils): ${result.error.message}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The text of one `<entry>` as a real XML parser (libxml2) reads it, entities and references resolved. */
export function readLpconfigEntry(document: string, section: string, entry: string): string {
  const xpath =
    `string(/*[local-name()='config']/*[local-name()='section'][@name='${section}']` +
    `/*[local-name()='entry'][@name='${entry}'])`;
  const result = runXmllint(['--xpath', xpath], document);
  if (result.status !== 0) throw new Error(`xmllint could not read ${section}/${entry}: ${result.stderr}`);
  // xmllint ends its output with a newline of its own.
  return result.stdout.replace(/\n$/, '');
}

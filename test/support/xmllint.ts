import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

export const LPCONFIG_SCHEMA_PATH = fileURLToPath(new URL('../fixtures/lpconfig.xsd', import.meta.url));

/**
 * Runs libxml2's xmllint, compiled to WebAssembly (the xmllint-wasm package), on `document` with the given
 * arguments, e.g. `['--noout', '--schema', LPCONFIG_SCHEMA_PATH]`. Being an npm package, it needs nothing
 * installed on the machine, so `npm test` works on a fresh one; a schema file is copied into its file system.
 */
export async function runXmllint(args: string[], document: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const schemaAt = args.indexOf('--schema');
  const preload = schemaAt >= 0 ? [{ fileName: 'schema.xsd', contents: readFileSync(args[schemaAt + 1]!, 'utf8') }] : [];
  const finalArgs = schemaAt >= 0 ? args.map((arg, index) => (index === schemaAt + 1 ? 'schema.xsd' : arg)) : args;
  const result = await validateXML({
    xml: { fileName: 'document.xml', contents: document },
    preload,
    // 'format' makes the library hand back xmllint's standard output; the arguments are then replaced whole.
    normalization: 'format',
    modifyArguments: () => [...finalArgs, 'document.xml'],
  });
  return { status: result.valid ? 0 : 1, stdout: result.normalized, stderr: result.rawOutput };
}

/** The text of one `<entry>` as a real XML parser (libxml2) reads it, entities and references resolved. */
export async function readLpconfigEntry(document: string, section: string, entry: string): Promise<string> {
  const xpath =
    `string(/*[local-name()='config']/*[local-name()='section'][@name='${section}']` +
    `/*[local-name()='entry'][@name='${entry}'])`;
  const result = await runXmllint(['--xpath', xpath], document);
  if (result.status !== 0) throw new Error(`xmllint could not read ${section}/${entry}: ${result.stderr}`);
  // xmllint ends its output with a newline of its own.
  return result.stdout.replace(/\n$/, '');
}

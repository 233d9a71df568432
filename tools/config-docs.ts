import { configVariables, type VariableSpec } from '../src/config/config.schema.ts';

/** The README's configuration table and `.env.example`, both derived from src/config/config.schema.ts. */
export function renderConfigTable(): string {
  const rows = Object.entries(configVariables as Record<string, VariableSpec>).map(
    ([name, spec]) => `| \`${name}\` | ${spec.default !== undefined ? `\`${spec.default}\`` : '—'} | ${spec.doc} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

export function renderEnvExample(): string {
  const lines = Object.entries(configVariables as Record<string, VariableSpec>).flatMap(([name, spec]) => [
    `# ${spec.doc}`,
    `# ${name}=${spec.default ?? ''}`,
    '',
  ]);
  return ['# voip-onboarding-api configuration. Copy to .env and uncomment what you change.', '', ...lines].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(process.argv[2] === 'env' ? renderEnvExample() : renderConfigTable());
}

import { configSchema, type VariableSchema } from '../src/config/config.schema.ts';

const variables = Object.entries(configSchema.properties as Record<string, VariableSchema>);

/** The README's configuration table and `.env.example`, both derived from src/config/config.schema.ts. */
export function renderConfigTable(): string {
  const rows = variables.map(
    ([name, spec]) => `| \`${name}\` | ${spec.default !== undefined ? `\`${spec.default}\`` : '—'} | ${spec.description} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

export function renderEnvExample(): string {
  const lines = variables.flatMap(([name, spec]) => [
    `# ${spec.description}`,
    `# ${name}=${spec.default ?? ''}`,
    '',
  ]);
  return ['# voip-onboarding-api configuration. Copy to .env and uncomment what you change.', '', ...lines].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(process.argv[2] === 'env' ? renderEnvExample() : renderConfigTable());
}

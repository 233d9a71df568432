import { Value } from '@sinclair/typebox/value';
import { URL_PROTOCOLS } from './config.formats.ts';
import { configSchema, type ConfigValues, type ConfigVariableName, type VariableSchema } from './config.schema.ts';

const variables = configSchema.properties as Record<ConfigVariableName, VariableSchema>;
const names = Object.keys(variables) as ConfigVariableName[];

/**
 * The variables the schema lists, read from `env`: trimmed, empty taken as unset, whole numbers converted,
 * defaults applied, then checked against the schema. Every invalid variable is reported (once) and replaced
 * by its default, so nothing derived from it reports a second problem.
 */
export function readEnv(env: Record<string, string | undefined>): { values: ConfigValues; problems: string[] } {
  const given: Partial<Record<ConfigVariableName, string>> = {};
  const values: Record<string, unknown> = {};
  for (const name of names) {
    const value = env[name]?.trim();
    if (!value) continue;
    given[name] = value;
    values[name] = variables[name].type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
  }
  Value.Default(configSchema, values);

  const invalid = new Set(Array.from(Value.Errors(configSchema, values), (error) => error.path.slice(1) as ConfigVariableName));
  const problems = Array.from(invalid, (name) => problem(name, given[name] ?? ''));
  for (const name of invalid) {
    values[name] = Value.Default(variables[name], undefined);
    if (values[name] === undefined) delete values[name];
  }
  return { values: values as ConfigValues, problems };
}

/** Names the variable; shows the value given unless it is secret or a URL (which may carry a password). */
function problem(name: ConfigVariableName, value: string): string {
  const schema = variables[name];
  const hidden = schema.secret === true || (schema.format ?? '') in URL_PROTOCOLS;
  const got = hidden ? '' : ` (got "${value}")`;
  if (schema.problem) return `${name} ${schema.problem}${got}`;
  if (schema.type === 'integer') return `${name} must be a whole number from ${schema.minimum} to ${schema.maximum}${got}`;
  if (schema.anyOf) return `${name} must be one of ${schema.anyOf.map((option) => option.const).join(', ')}${got}`;
  return `${name} is invalid${got}`;
}

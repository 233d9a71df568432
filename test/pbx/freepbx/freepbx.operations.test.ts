import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { grantsFor, schemaFor } from '../../../tools/freepbx-sim/schema.graphql.ts';
import { operations } from '../../../src/modules/pbx/freepbx/freepbx.operations.ts';

const grants = grantsFor(['gql:core', 'gql:framework']);
const errorsOf = (framework: 16 | 17, document: string) => validate(schemaFor(grants, framework), parse(document)).map((error) => error.message);

describe("FreePBX driver: its GraphQL documents against the simulator's schema", () => {
  it.each(Object.entries(operations))('%s validates against a 17-era framework', (_name, document) => {
    expect(errorsOf(17, document)).toEqual([]);
  });

  it('against an older framework only the Apply Config documents fail, with "Cannot query field"', () => {
    const failing = Object.entries(operations).filter(([, document]) => errorsOf(16, document).length > 0);
    expect(failing.map(([name]) => name).sort()).toEqual(['doreload', 'fetchApiStatus', 'fetchNeedReload']);
    for (const [, document] of failing) expect(errorsOf(16, document)[0]).toMatch(/^Cannot query field "(doreload|fetchNeedReload|details)"/);
  });
});

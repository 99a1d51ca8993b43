/**
 * The JSON Schemas in schemas/ are valid draft 2020-12 schemas (the CLI compiles them without
 * meta-validation, for start-up time, so this test is what checks them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv2020Module from 'ajv/dist/2020.js';
import { repoRoot } from '../cli/rig.ts';

const Ajv2020 = ((Ajv2020Module as unknown as { default?: typeof Ajv2020Module }).default ?? Ajv2020Module) as unknown as typeof Ajv2020Module.default;

describe('schemas', () => {
  const dir = join(repoRoot, 'schemas');
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`${name} is a valid JSON Schema that compiles in strict mode`, () => {
      const schema = JSON.parse(readFileSync(join(dir, name), 'utf8')) as object;
      const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
      expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
      expect(() => ajv.compile(schema)).not.toThrow();
    });
  }
});

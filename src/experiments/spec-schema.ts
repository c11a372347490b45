/**
 * The JSON Schema (draft 2020-12) of an experiment spec, generated from the spec's fields and the
 * registries (optimizer options with their defaults and ranges, sampler and model kinds), so it cannot
 * drift from what `expandSpec` accepts. The committed copy, src/experiments/spec.schema.json, is what a
 * spec file's `$schema` points at (editors complete and check against it); a test keeps it equal to this.
 * Regenerate: `node --import tsx src/experiments/spec-schema.ts > src/experiments/spec.schema.json`.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { models } from './kinds/models.js';
import { optimizers } from './kinds/optimizers.js';
import { optionJsonSchema } from './kinds/options.js';
import { samplers } from './kinds/samplers.js';
import { FIGURE_KINDS, MEASURES } from './spec.js';

export function specJsonSchema(): Record<string, unknown> {
  const optimizerSchemas = optimizers.all().map((k) => ({
    type: 'object',
    description: k.doc,
    properties: { name: { const: k.name }, ...Object.fromEntries(Object.entries(k.options).map(([o, s]) => [o, optionJsonSchema(s)])) },
    required: ['name'],
    additionalProperties: false,
  }));
  const runConfig = {
    type: 'object',
    description: 'A (partial) run configuration; left-out fields take their defaults (src/experiments/config.ts).',
    properties: {
      data: { type: 'object' },
      hidden: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 },
      activation: { enum: ['sigmoid', 'relu', 'tanh'] },
      optimizer: { oneOf: [{ enum: optimizers.names() }, ...optimizerSchemas] },
      batchSize: { type: 'integer', minimum: 1 },
      sampler: { type: 'object', properties: { kind: { enum: samplers.names() } }, required: ['kind'] },
      evalBatchSize: { type: 'integer', minimum: 1 },
      metrics: { type: 'object', properties: { eps: { type: 'number', minimum: 0 }, train: { type: 'boolean' }, perUnit: { type: 'boolean', description: 'store the final epoch per-unit CCMAS' }, ablation: { type: 'boolean', description: 'test-time neuron ablation after the final epoch' } }, additionalProperties: false },
      model: { type: 'object', properties: { kind: { type: 'string', description: `registered: ${models.names().join(', ')}` } }, required: ['kind'] },
    },
    additionalProperties: false,
  };
  const axis = {
    type: 'object',
    properties: {
      path: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.([A-Za-z_][A-Za-z0-9_]*|\\d+))*$', description: 'a dotted configuration path; numbers index arrays (optimizer.betas.0)' },
      values: { type: 'array', minItems: 1 },
      labels: { type: 'array', items: { type: 'string' } },
    },
    required: ['path', 'values'],
    additionalProperties: false,
  };
  const axisEntry = { oneOf: [axis, { type: 'object', properties: { zip: { type: 'array', items: axis, minItems: 1 } }, required: ['zip'], additionalProperties: false }] };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sparsity-lab/spec.schema.json',
    title: 'sparsity-lab experiment spec',
    description: 'An experiment as data: base configuration, sweep axes (product; zip for paired axes), condition blocks, seeds, epochs, measures, figures. See src/experiments/spec.ts.',
    type: 'object',
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
      title: { type: 'string', minLength: 1 },
      description: { type: 'string', minLength: 1 },
      source: { type: 'string' },
      group: { enum: ['summative', 'formative', 'extra'] },
      notes: { type: 'array', items: { type: 'string' } },
      base: runConfig,
      axes: { type: 'array', items: axisEntry },
      conditions: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1 }, set: { type: 'object', description: '{ "config.path": value }' }, axes: { type: 'array', items: axisEntry }, epochs: { type: 'integer', minimum: 1, description: 'this block\'s epochs (an epochs= override still wins)' } },
          required: ['name'],
          additionalProperties: false,
        },
      },
      seeds: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, uniqueItems: true },
      epochs: { type: 'integer', minimum: 1 },
      measures: { type: 'array', items: { enum: [...MEASURES] } },
      figures: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            kind: { enum: [...FIGURE_KINDS] },
            param: { type: 'string' },
            logX: { type: 'boolean' },
            blocks: { type: 'array', items: { type: 'string' } },
            metrics: { type: 'array', items: { type: 'string' } },
            title: { type: 'string' },
          },
          required: ['kind'],
          additionalProperties: false,
        },
      },
    },
    required: ['name', 'title', 'description', 'seeds', 'epochs'],
    additionalProperties: false,
  };
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) process.stdout.write(`${JSON.stringify(specJsonSchema(), null, 2)}\n`);

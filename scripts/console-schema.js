#!/usr/bin/env node
// @ts-check
/**
 * Writes the console's API types (apps/console/src/api/schema.generated.ts) from the OpenAPI
 * document read on standard input, with openapi-typescript; `--check` writes nothing and fails
 * when the file differs from what the document gives (apps/api/src/openapi-snapshot.spec.ts).
 *
 *   npm run generate:console-client
 *   (= the fast server build, then: node dist/apps/api/src/openapi-snapshot.js | node scripts/console-schema.js)
 */
const fs = require('node:fs');
const path = require('node:path');
const { default: openapiTS, astToString } = require('openapi-typescript');

const TARGET = path.join(__dirname, '..', 'apps', 'console', 'src', 'api', 'schema.generated.ts');
const HEADER =
  '/**\n' +
  " * Generated from the API's OpenAPI document (apps/api/src/openapi-snapshot.ts) by\n" +
  ' * scripts/console-schema.js with openapi-typescript. Do not edit: run `npm run generate:console-client`.\n' +
  ' */\n';

/**
 * The document with its constraint-only combinators left out: an `anyOf`/`oneOf`/`not` whose
 * branches declare no type of their own (`{ required: [...] }`, `{ format: 'ipv4' }`, "permissions
 * or role") only says which values or fields go together, which the server checks and refuses
 * with 400 naming the field. TypeScript cannot say it, and openapi-typescript renders such a
 * branch as `unknown`, which would turn the whole body's type into `unknown`.
 * A combinator of typed branches (`$ref`, `type`) is kept.
 * @param {unknown} node
 * @returns {unknown}
 */
function withoutConstraintCombinators(node) {
  if (Array.isArray(node)) return node.map(withoutConstraintCombinators);
  if (!node || typeof node !== 'object') return node;
  const schema = /** @type {Record<string, unknown>} */ (node);
  const typed = (/** @type {any} */ branch) => !!branch && typeof branch === 'object' && ('type' in branch || '$ref' in branch);
  const ownType = 'type' in schema || 'properties' in schema || '$ref' in schema;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [name, value] of Object.entries(schema)) {
    const combinator = name === 'anyOf' || name === 'oneOf' ? /** @type {unknown[]} */ (value) : name === 'not' ? [value] : null;
    if (ownType && combinator && !combinator.some(typed)) continue;
    out[name] = withoutConstraintCombinators(value);
  }
  return out;
}

/** @param {object} document */
async function render(document) {
  // enumValues: the enums' values as arrays too (permission names, event types), so the console's lists come from the document;
  // defaultNonNullable false: a property with a default may be left out (`overlapSeconds`, `disabled`), as the server takes it
  const ast = await openapiTS(/** @type {any} */ (withoutConstraintCombinators(document)), { enumValues: true, defaultNonNullable: false, silent: true });
  return HEADER + astToString(ast);
}

async function main() {
  // read as a stream: readFileSync(0) fails with EAGAIN on a pipe whose writer has not written yet
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  if (!input.trim()) throw new Error('no OpenAPI document on standard input');
  const text = await render(JSON.parse(input));
  const relative = path.relative(process.cwd(), TARGET);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${relative} is not what the OpenAPI document gives: run npm run generate:console-client\n`);
      process.exitCode = 1;
    }
    return;
  }
  fs.writeFileSync(TARGET, text);
  process.stdout.write(`wrote ${relative}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

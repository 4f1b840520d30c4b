/**
 * Stands in for the upstream producer (VssID) on the local stack: sets its input subjects to FORWARD_TRANSITIVE
 * and registers its writer schemas (today the same as our reader schemas in schemas/). The adapter never
 * registers on these subjects; in a real environment VssID's own deployment does this.
 *
 *   node --import tsx scripts/register-upstream.ts [--schemas-dir DIR]     (npm run schemas:upstream)
 *
 * TOPIC_PREFIX, TOPIC_* and SCHEMA_REGISTRY_URL apply as for vss-bridge.
 */
import { topicBindings } from '../connectors/registry/bindings.js';
import { registerAsUpstream } from '../connectors/registry/compatibility.js';
import { loadSchemas } from '../src/contracts/schemas.js';
import { loadConfig } from '../src/runtime/config.js';

const config = loadConfig();
const i = process.argv.indexOf('--schemas-dir');
const overrides = i > 0 && process.argv[i + 1] ? loadSchemas(process.argv[i + 1]) : {};
for (const r of await registerAsUpstream(config.schemaRegistryUrl, topicBindings(config), overrides)) {
  process.stdout.write(`upstream registered ${r.subject} id=${r.id} (FORWARD_TRANSITIVE)\n`);
}

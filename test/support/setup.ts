// Loaded before every test file (vitest.config.ts, vitest.mutate.config.ts). The built CLI loads
// the zod envelope on demand through require(), which cannot load the TypeScript sources vitest
// runs: imported here, it registers itself with schema.ts up front.
import "../../src/telemetry/schema-envelope.js";

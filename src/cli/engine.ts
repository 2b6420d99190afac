import type { EngineChoice } from "../batch/select-engine.js";
import { engineFor as engineForSettings } from "../ops/engine.js";
import type { Context } from "./context.js";

/** The engine `process` and `watch` score with, wired to the context's settings and files. */
export function engineFor(ctx: Context): Promise<EngineChoice> {
  return engineForSettings({
    settings: ctx.settings,
    env: ctx.deps.env,
    config: ctx.config,
    debug: (m, e) => ctx.io.log("debug", m, e),
  });
}

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./package-root.js";

let cached: string | undefined;

/** The package's version, from its package.json (`--version`, `playproof_build_info`). */
export function packageVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  return cached;
}

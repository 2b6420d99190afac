import { dirname } from "node:path";
import { configGet, configList, configSet, configUnset } from "../commands/config.js";
import { type ConfigFile, insecureDirWarning } from "../config.js";
import type { Io } from "../ui/io.js";
import { renderConfig } from "../ui/tables.js";

export type ConfigVerb = "get" | "set" | "unset" | "list";

export function configAction(
  io: Io,
  file: ConfigFile,
  verb: ConfigVerb,
  key = "",
  value = "",
): void {
  const insecure = insecureDirWarning(dirname(file.path));
  if (insecure) io.log("warn", insecure);
  switch (verb) {
    case "get": {
      const e = configGet(file, key);
      if (io.json) io.dataJson(e);
      else if (e.value !== undefined) io.data(String(e.value));
      return;
    }
    case "set": {
      const e = configSet(file, key, value);
      io.log("info", `${e.key} = ${e.value}`);
      return;
    }
    case "unset":
      configUnset(file, key);
      io.log("info", `${key} unset`);
      return;
    case "list": {
      const l = configList(file);
      if (io.json) io.dataJson(l);
      else io.data(renderConfig(l.path, l.entries));
    }
  }
}

import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

/**
 * A package loaded the first time it is used, not at import (issues 10 and 13): a command's
 * start-up pays only for what that command runs. undici alone (112 files) took 150 ms of every
 * command, `stats --json` included; proper-lockfile, cli-table3 and csv-stringify 35 ms more for
 * commands that take no lock, draw no table or write no CSV. Node >= 20.19 loads an ES module
 * (ora) through require() too.
 */
export function lazyModule<T>(id: string): () => T {
  let mod: T | undefined;
  return () => {
    mod ??= load(id) as T;
    return mod;
  };
}

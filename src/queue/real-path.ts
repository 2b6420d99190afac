import { readlink, realpath } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

const MAX_LINKS = 40; // as Linux's ELOOP limit

/**
 * The real path of a queue file: symbolic links followed, also when the file does not exist
 * yet (a dangling link names where it will be created), so every path to one queue locks and
 * rewrites the same file (issue 8, defect 3).
 */
export async function resolveQueuePath(path: string): Promise<string> {
  let p = resolve(path);
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    try {
      return await realpath(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const link = await readlink(p).catch(() => undefined);
    if (link === undefined) {
      const dir = await realpath(dirname(p)).catch(() => dirname(p));
      return join(dir, basename(p));
    }
    p = resolve(dirname(p), link);
  }
  throw new Error(`${path}: too many levels of symbolic links`);
}

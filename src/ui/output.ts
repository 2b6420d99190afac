import type { Writable } from "node:stream";

/**
 * The exit status when stdout's reader went away (issue 9, defect 7): 128 + SIGPIPE, what a shell
 * shows for `git log | head -1` under `set -o pipefail`. Without pipefail a pipeline's status is
 * its last command's, so `... | head -1` stays quiet and successful for cron and shells.
 */
export const READER_GONE_EXIT = 141;

const watched = new WeakMap<Writable, AbortController>();

/**
 * Aborted once a write to `stream` fails with EPIPE (`enqueue --json | head -1`): the reader is
 * gone, so writers stop quietly instead of dying on an unhandled 'error' event with a stack
 * trace. Other write errors are not ours to hide: they are thrown as before.
 */
export function readerGone(stream: Writable): AbortSignal {
  let controller = watched.get(stream);
  if (!controller) {
    const c = new AbortController();
    controller = c;
    watched.set(stream, c);
    stream.on("error", (err: NodeJS.ErrnoException) => {
      // A write after the EPIPE fails with ERR_STREAM_DESTROYED: the same reader, still gone.
      if (err.code === "EPIPE" || (c.signal.aborted && err.code === "ERR_STREAM_DESTROYED")) {
        c.abort();
        return;
      }
      throw err;
    });
  }
  return controller.signal;
}

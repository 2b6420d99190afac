import { setImmediate as tick } from "node:timers/promises";
import { run } from "./cli/program.js";
import { READER_GONE_EXIT, readerGone } from "./ui/output.js";

// Watched before anything is written (even --help), so `... | head -1` never dies on EPIPE.
const stdoutGone = readerGone(process.stdout);
readerGone(process.stderr);

const code = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: process,
});
// A write still queued for the pipe (a big last write, a slow reader) reports its EPIPE only
// when the reader leaves: wait until every write has reached the pipe or failed, then decide.
await new Promise<void>((resolve) => {
  if (process.stdout.writableLength === 0 || process.stdout.destroyed) resolve();
  else process.stdout.write("", () => resolve());
});
await tick(); // a failed last write reports its EPIPE on a later tick
process.exitCode = code === 0 && stdoutGone.aborted ? READER_GONE_EXIT : code;

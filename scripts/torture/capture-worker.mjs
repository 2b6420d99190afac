// Holds an fd open on every inode the queue path ever names (issue 8: compaction replaces the
// journal, so events written to a generation just before it was replaced are only readable
// through an fd opened earlier). It runs on its own thread so a busy harness cannot make it
// miss a generation: compaction's temp file is opened as soon as inotify reports it, before
// the rename, and the path itself is polled every 2 ms as a backstop.
import { closeSync, fstatSync, openSync, readdirSync, watch } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";

const { queue } = workerData;
const dir = dirname(queue);
const base = basename(queue);
const held = new Map(); // ino -> { fd, ino, seq, firstName }
let seq = 0;

function grab(path) {
  let fd;
  try {
    fd = openSync(path, "r");
  } catch {
    return; // gone already (renamed, or never created)
  }
  const { ino } = fstatSync(fd);
  if (held.has(ino)) closeSync(fd);
  else held.set(ino, { fd, ino, seq: seq++, firstName: basename(path), at: Date.now() });
}

function scan() {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(`${base}.compact-`)) grab(join(dir, name));
  grab(queue);
}

const watcher = watch(dir, (_event, name) => {
  if (name === base || name?.startsWith(`${base}.compact-`)) scan();
});
const timer = setInterval(scan, 2);
scan();

parentPort.on("message", (msg) => {
  if (msg !== "stop") return;
  scan();
  clearInterval(timer);
  watcher.close();
  parentPort.postMessage([...held.values()]);
});

// Every generation of the journal (issue 8: compaction replaces the file): the capture worker
// holds an fd on each inode; at the end each is read whole, in the order they appeared.
import { closeSync, fstatSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Worker } from "node:worker_threads";

export function startCapture(queue) {
  const worker = new Worker(new URL("./capture-worker.mjs", import.meta.url), {
    workerData: { queue },
  });
  return {
    /** Stops capturing; the generations that were the journal, oldest first. */
    async stop() {
      const held = await new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
        worker.postMessage("stop");
      });
      // Read before the worker ends: its fds close with it.
      const gens = readGenerations(queue, held);
      await worker.terminate();
      return gens;
    },
  };
}

function readGenerations(queue, held) {
  const dir = dirname(queue);
  // A compaction killed before its rename leaves its temp file: never part of the journal.
  const abandoned = new Set(
    readdirSync(dir)
      .filter((n) => n.startsWith(`${basename(queue)}.compact-`))
      .map((n) => statSync(join(dir, n)).ino),
  );
  const current = statSync(queue).ino;
  const gens = [];
  for (const h of held.sort((a, b) => a.seq - b.seq)) {
    const st = fstatSync(h.fd);
    if (!abandoned.has(h.ino) && (st.nlink === 0 || h.ino === current)) {
      gens.push({ ino: h.ino, current: h.ino === current, text: readAll(h.fd, st.size) });
    }
    closeSync(h.fd);
  }
  return { generations: gens, abandonedTemps: abandoned.size };
}

function readAll(fd, size) {
  const buf = Buffer.alloc(size);
  let pos = 0;
  while (pos < size) {
    const n = readSync(fd, buf, pos, size - pos, pos);
    if (n === 0) break;
    pos += n;
  }
  return buf.subarray(0, pos).toString("utf8");
}

// The floor enqueue is measured against: read the same input and JSON.parse each line, nothing else.
import { createReadStream } from "node:fs";

let pending = "";
let records = 0;
for await (const chunk of createReadStream(process.argv[2], {
  encoding: "utf8",
  highWaterMark: 1 << 20,
})) {
  const text = pending + chunk;
  let start = 0;
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
    if (nl > start) {
      JSON.parse(text.slice(start, nl));
      records++;
    }
    start = nl + 1;
  }
  pending = text.slice(start);
}
if (pending.trim()) {
  JSON.parse(pending);
  records++;
}
process.stderr.write(`${records}\n`);

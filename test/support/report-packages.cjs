// Preloaded with `node --require` by test/e2e/startup-packages.test.ts: when the process exits,
// writes the npm packages it loaded through require() (undici, proper-lockfile, commander... are
// CommonJS) as one line `packages: a,b,c` on stderr.
const { sep } = require("node:path");

process.on("exit", () => {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const at = file.lastIndexOf(`${sep}node_modules${sep}`);
    if (at < 0) continue;
    const parts = file.slice(at + 14).split(sep);
    names.add(parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  process.stderr.write(`packages: ${[...names].sort().join(",")}\n`);
});

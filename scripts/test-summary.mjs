// Prints the plain `tests: N passed, N failed` line CI reads, from vitest's JSON report.
import { readFileSync } from "node:fs";

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (err) {
  console.log(`could not read the vitest report ${file}: ${err.message}`);
  console.log("tests: 0 passed, 1 failed");
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed =
  (report.numFailedTests ?? 0) +
  (report.numTotalTestSuites > 0 && report.success === false && report.numFailedTests === 0
    ? 1
    : 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (skipped > 0) console.log(`${skipped} test(s) skipped or todo: the project leaves none behind`);
console.log(`tests: ${passed} passed, ${failed + skipped} failed`);
process.exit(failed + skipped > 0 || passed === 0 ? 1 : 0);

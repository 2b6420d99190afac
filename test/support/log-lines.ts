/**
 * Human log lines off a terminal start with an ISO timestamp (issue 9, defect 10: cron's
 * `>> /var/log/...` needs it). Tests that compare messages read them without it.
 */
export const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/** stderr's lines, each without its timestamp. */
export function logLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(TIMESTAMP, ""));
}

/** The `error: ...` lines (one per rejected record), without their timestamps. */
export function errorLines(stderr: string): string[] {
  return logLines(stderr).filter((l) => l.startsWith("error: "));
}

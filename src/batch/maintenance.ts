/** `watch` does its housekeeping at most this often (issue 5: retention on a schedule). */
export const MAINTAIN_EVERY_MS = 10 * 60_000;

import { open } from "node:fs/promises";

/** Lines a reader could not use are moved here, never dropped (design.md, "The queue file"). */
export function quarantinePath(queuePath: string): string {
  return `${queuePath}.quarantine`;
}

export interface QuarantineEntry {
  offset: number;
  line?: number;
  reason: string;
  text: string;
}

export async function appendQuarantine(queuePath: string, entries: QuarantineEntry[]) {
  if (entries.length === 0) return;
  const at = new Date().toISOString();
  const text = entries.map((e) => `${JSON.stringify({ at, ...e })}\n`).join("");
  const fh = await open(quarantinePath(queuePath), "a", 0o600);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
}

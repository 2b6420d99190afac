import { confirm } from "@inquirer/prompts";

/** Asks on the terminal (prompts go to stderr-adjacent TTY, never stdout data). */
export async function confirmOnTty(message: string): Promise<boolean> {
  return confirm({ message, default: false }, { output: process.stderr });
}

import { confirm } from "@inquirer/prompts";
import { CliError, ExitCode } from "../errors.js";

/** Asks on the terminal (stderr, never stdout data). Ctrl-C at the prompt exits 130. */
export async function confirmOnTty(message: string): Promise<boolean> {
  try {
    return await confirm({ message, default: false }, { output: process.stderr });
  } catch (err) {
    if ((err as Error).name === "ExitPromptError") {
      throw new CliError("interrupted: nothing changed", ExitCode.interrupted, { cause: err });
    }
    throw err;
  }
}

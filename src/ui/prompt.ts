import { confirm, input, password } from "@inquirer/prompts";
import { CliError, ExitCode } from "../errors.js";

/** Ctrl-C at a prompt exits 130 with nothing changed. */
async function asked<T>(prompt: Promise<T>): Promise<T> {
  try {
    return await prompt;
  } catch (err) {
    if ((err as Error).name === "ExitPromptError") {
      throw new CliError("interrupted: nothing changed", ExitCode.interrupted, { cause: err });
    }
    throw err;
  }
}

/** Asks on the terminal (stderr, never stdout data). Ctrl-C at the prompt exits 130. */
export async function confirmOnTty(message: string): Promise<boolean> {
  return asked(confirm({ message, default: false }, { output: process.stderr }));
}

export interface PromptStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/**
 * Asks for one value on the terminal: a secret is not echoed at all, not even as stars
 * (issue 9, item 12: `config set woodwide.apiKey -` keeps the key out of shell history).
 */
export async function askValue(
  message: string,
  secret: boolean,
  streams: PromptStreams,
): Promise<string> {
  return asked(secret ? password({ message }, streams) : input({ message }, streams));
}

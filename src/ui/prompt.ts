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

const plain = (text: string) => text;

/**
 * Inquirer colours by process.env; the CLI's own env decides instead (issue 9, defect 8), so an
 * in-process caller's NO_COLOR holds too. Undefined: inquirer's coloured default theme.
 */
export function promptTheme(color: boolean) {
  if (color) return undefined;
  return {
    prefix: { idle: "?", done: "✔" },
    style: {
      answer: plain,
      message: plain,
      error: (text: string) => `> ${text}`,
      defaultAnswer: (text: string) => `(${text})`,
      help: plain,
      highlight: plain,
      key: (text: string) => `<${text}>`,
    },
  };
}

/** Asks on the terminal (stderr, never stdout data). Ctrl-C at the prompt exits 130. */
export async function confirmOnTty(message: string, color = true): Promise<boolean> {
  const theme = promptTheme(color);
  return asked(
    confirm({ message, default: false, ...(theme ? { theme } : {}) }, { output: process.stderr }),
  );
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

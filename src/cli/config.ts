import type { Command } from "commander";
import { effectiveValue, originText } from "../config.js";
import { CONFIG_KEYS, type ConfigKey, type ConfigKeyName } from "../config-keys.js";
import { UsageError } from "../errors.js";
import {
  type ConfigEntry,
  checkKey,
  configGet,
  configList,
  configSet,
  configUnset,
  parseSetValue,
} from "../ops/config.js";
import { renderConfig } from "../ui/tables.js";
import type { ConfigContext } from "./context.js";
import { type CliDeps, makeConfigContext } from "./context.js";
import type { SetExit } from "./options.js";

export type ConfigVerb = "get" | "set" | "unset" | "list";

/** `config list --json` and `config get --json`: one shape (issue 9, item 12). */
function jsonEntry(e: ConfigEntry) {
  return { key: e.key, value: e.value ?? null, origin: e.origin, secret: e.secret };
}

function originLine(e: ConfigEntry, filePath: string): string {
  if (e.value === undefined) return `${e.key}: not set`;
  return `${e.key}: from ${originText({ ...e, raw: e.value }, filePath)}`;
}

export async function configAction(
  ctx: ConfigContext,
  verb: ConfigVerb,
  key = "",
  value = "",
): Promise<void> {
  const { io, sources } = ctx;
  switch (verb) {
    case "get": {
      const e = configGet(sources, key);
      if (e.problem) io.log("warn", e.problem);
      io.log("debug", originLine(e, sources.filePath));
      if (io.json) io.dataJson(jsonEntry(e));
      else if (e.value !== undefined) io.data(String(e.value));
      return;
    }
    case "set": {
      const name = checkKey(key);
      const raw = value === "-" ? await valueFromStdin(ctx, name) : value;
      parseSetValue(name, raw); // a bad value is refused before conf creates any directory
      const e = configSet(await ctx.openFile(), name, raw);
      io.log("info", `${e.key} = ${e.value}`);
      const now = effectiveValue(name, sources);
      if (now.origin === "flag" || now.origin === "env")
        io.log(
          "warn",
          `${name} is saved, but ${originText(now, sources.filePath)} takes precedence over the config file`,
        );
      return;
    }
    case "unset": {
      const e = configUnset(await ctx.openFile(), key);
      io.log("info", `${e.key} unset`);
      return;
    }
    case "list": {
      const entries = configList(sources);
      for (const e of entries) if (e.problem) io.log("warn", e.problem);
      if (io.json) io.dataJson(entries.map(jsonEntry));
      else io.data(renderConfig(sources.filePath, entries));
    }
  }
}

/** Config values are short; a runaway pipe is refused rather than held in memory. */
const STDIN_LIMIT = 64 * 1024;

/**
 * `config set KEY -`: the value from stdin, so an API key never lands in shell history or `ps`
 * (issue 9, item 12). A pipe is read whole, one trailing newline dropped (`echo` adds it); a
 * terminal gets a prompt that does not echo a secret. An empty value is refused.
 */
async function valueFromStdin(ctx: ConfigContext, key: ConfigKeyName): Promise<string> {
  let text: string;
  if (ctx.stdin.isTTY) {
    const { askValue } = await import("../ui/prompt.js");
    const secret = Boolean((CONFIG_KEYS[key] as ConfigKey).secret);
    text = await askValue(`${key}:`, secret, { input: ctx.stdin, output: ctx.stderr });
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.stdin) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += b.length;
      if (size > STDIN_LIMIT)
        throw new UsageError(`${key}: more than 64 KiB on stdin: not a config value`);
      chunks.push(b);
    }
    text = Buffer.concat(chunks).toString("utf8");
  }
  text = text.replace(/\r?\n$/, "");
  if (text === "") {
    throw new UsageError(
      `${key}: no value on stdin: refusing to store an empty value (e.g. \`printf '%s\\n' "$KEY" | playproof-batch config set ${key} -\`)`,
    );
  }
  return text;
}

/** `config get|set|unset|list`: persistent settings. */
export function register(program: Command, deps: CliDeps, _setExit: SetExit): void {
  const config = program
    .command("config")
    .description("persistent settings (secrets shown redacted)")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config list\n  playproof-batch config set woodwide.mode direct",
    );
  const configVerb =
    (verb: ConfigVerb) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const [key, value] = args.slice(0, -2) as string[];
      await configAction(makeConfigContext(cmd, deps), verb, key, value);
    };
  config
    .command("get")
    .argument("<key>")
    .description("print a setting's effective value (-v: where it came from)")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config get woodwide.modelId\n  playproof-batch config get woodwide.apiKey   # redacted",
    )
    .action(configVerb("get"));
  config
    .command("set")
    .argument("<key>")
    .argument("<value>", "the value, or - to read it from stdin (a prompt on a terminal)")
    .description("store a setting (validated)")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config set woodwide.apiKey -   # asks without echoing; or pipe the key in\n  playproof-batch config set process.batchSize 50",
    )
    .action(configVerb("set"));
  config
    .command("unset")
    .argument("<key>")
    .description("remove a setting")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config unset woodwide.datasetId   # the next batch creates a new dataset",
    )
    .action(configVerb("unset"));
  config
    .command("list")
    .description("every setting's effective value, its origin (flag, env, file, default), meaning")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config list\n  playproof-batch config list --json | jq '.[] | select(.origin == \"env\")'",
    )
    .action(configVerb("list"));
}

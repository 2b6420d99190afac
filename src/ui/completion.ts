/**
 * Shell completion scripts generated from the command tree (issue 9, item 5), so a new command
 * or flag completes without anyone editing a script. Pure: the tree in, the script out.
 */
export interface CommandTree {
  name: string;
  description: string;
  /** Long flags, e.g. `--queue`; `-V`-style short ones are left to the user. */
  flags: { flag: string; description: string }[];
  subcommands: CommandTree[];
}

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** Every command path below the root: "" (the root), "config", "config get", ... */
function paths(tree: CommandTree, prefix = ""): [string, CommandTree][] {
  return [
    [prefix, tree],
    ...tree.subcommands.flatMap((c) => paths(c, prefix ? `${prefix} ${c.name}` : c.name)),
  ];
}

const fnName = (program: string) => `_${program.replace(/[^A-Za-z0-9]/g, "_")}`;
const shellWords = (words: string[]) => words.join(" ").replace(/[^A-Za-z0-9 _./=-]/g, "");

function bash(tree: CommandTree): string {
  const fn = fnName(tree.name);
  const cases = paths(tree)
    .map(([path, node]) => {
      const subs = node.subcommands.map((c) => c.name);
      const words = [...subs, ...node.flags.map((f) => f.flag)];
      return `    "${path}") subs="${shellWords(subs)}"; words="${shellWords(words)}" ;;`;
    })
    .join("\n");
  return `# ${tree.name} completion for bash: source <(${tree.name} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" subs words i
  for ((i = 1; i <= COMP_CWORD; i++)); do
    case "$path" in
${cases}
    esac
    [[ $i -eq COMP_CWORD ]] && break
    case " $subs " in *" \${COMP_WORDS[i]} "*) path="\${path:+$path }\${COMP_WORDS[i]}" ;; esac
  done
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F ${fn} ${tree.name}
`;
}

function zsh(tree: CommandTree): string {
  // zsh runs the bash function through bashcompinit: one generated logic for both shells.
  return `# ${tree.name} completion for zsh: source <(${tree.name} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(tree).split("\n").slice(1).join("\n")}`;
}

const fishQuote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

function fish(tree: CommandTree): string {
  const lines = [`# ${tree.name} completion for fish: ${tree.name} completion fish | source`];
  for (const [path, node] of paths(tree)) {
    const words = path ? path.split(" ") : [];
    const last = words.at(-1);
    // At the root: no subcommand yet. Below: this path's last word was typed, and no child's.
    const children = node.subcommands.map((c) => c.name).join(" ");
    const cond = last
      ? `__fish_seen_subcommand_from ${last}${children ? `; and not __fish_seen_subcommand_from ${children}` : ""}`
      : "__fish_use_subcommand";
    for (const c of node.subcommands)
      lines.push(
        `complete -c ${tree.name} -f -n ${fishQuote(cond)} -a ${c.name} -d ${fishQuote(c.description)}`,
      );
    for (const f of node.flags)
      lines.push(
        `complete -c ${tree.name} -n ${fishQuote(cond)} -l ${f.flag.slice(2)} -d ${fishQuote(f.description)}`,
      );
  }
  return `${lines.join("\n")}\n`;
}

export function completionScript(shell: Shell, tree: CommandTree): string {
  return shell === "bash" ? bash(tree) : shell === "zsh" ? zsh(tree) : fish(tree);
}

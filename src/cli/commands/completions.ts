/** barn completions bash|zsh|fish: a completion script on stdout. */

import { excerpt } from "../../escape.ts";
import { lazy } from "../../lazy.ts";
import { BarnError } from "../../errors.ts";
import type { Command } from "../command.ts";
import { writeOut } from "../context.ts";

export function completionScript(
  shell: string,
  commands: { name: string; options: Record<string, unknown> }[],
): string {
  const names = commands.map((c) => c.name).join(" ");
  const global = "--output= --offline --help";
  switch (shell) {
    case "bash":
      return `# barn completion for bash: eval "$(barn completions bash)"
_barn() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" w
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do case "$w" in -*) ;; *) cmd="$w"; break ;; esac; done
  if [ -z "$cmd" ]; then COMPREPLY=($(compgen -W "${names} ${global}" -- "$cur")); return; fi
  case "$cmd" in
${
        commands.map((c) =>
          `    ${c.name}) COMPREPLY=($(compgen -W "${
            Object.keys(c.options).map((o) => `--${o}`).join(" ")
          } ${global}${
            c.name === "service" ? " start stop restart reload status logs" : ""
          }" -- "$cur")) ;;`
        ).join("\n")
      }
  esac
}
complete -o default -F _barn barn
`;
    case "zsh":
      return `#compdef barn
# barn completion for zsh: barn completions zsh > "\${fpath[1]}/_barn"
_barn() {
  local -a cmds
  cmds=(${commands.map((c) => `'${c.name}'`).join(" ")})
  if (( CURRENT == 2 )); then _describe 'command' cmds; else _files; fi
}
compdef _barn barn
`;
    case "fish":
      return `# barn completion for fish: barn completions fish > ~/.config/fish/completions/barn.fish
complete -c barn -f -n '__fish_use_subcommand' -a '${names}'
complete -c barn -l output -x -a 'human json xml'
complete -c barn -l offline
${
        commands.flatMap((c) =>
          Object.keys(c.options).map((o) =>
            `complete -c barn -n '__fish_seen_subcommand_from ${c.name}' -l ${o}`
          )
        ).join("\n")
      }
`;
    default:
      throw new BarnError(
        "E_USAGE",
        `no completions for '${excerpt(shell)}': use bash, zsh or fish`,
      );
  }
}

export const completions: Command = {
  name: "completions",
  summary: "print a shell completion script (bash, zsh or fish)",
  usage: "barn completions bash|zsh|fish",
  example: 'eval "$(barn completions bash)"',
  options: {},
  async run(ctx) {
    const { loadAll } = await lazy<typeof import("./mod.ts")>(import.meta.url, "./mod.ts");
    if (ctx.positionals.length !== 1) {
      throw new BarnError("E_USAGE", "give a shell: bash, zsh or fish");
    }
    await writeOut(Deno.stdout, completionScript(ctx.positionals[0]!, await loadAll()));

    return 0;
  },
};

/** `barn service install|uninstall`: render the unit/plist for this OS; the install scripts do the privileged steps. */

import { excerpt } from "../escape.ts";
import { basename, isAbsolute, join } from "../platform/path.ts";
import { BarnError } from "../errors.ts";
import { ensurePrivateDir } from "../platform/home_layout.ts";
import { writeFileAtomic } from "../platform/files.ts";
import { renderService } from "../platform/service_manager.ts";
import type { InstallPlan } from "../platform/service_plan.ts";
import type { CliContext } from "./context.ts";
import { writeOut } from "./context.ts";

function shQuote(s: string): string {
  // $HOME stays expandable in user-unit paths; everything else is quoted literally.
  return s.startsWith("$HOME/") ? `"${s}"` : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The plan as one POSIX shell script (or PowerShell on Windows) that an install script can run. */
export function installScript(plan: InstallPlan, staged: Map<string, string>, os: string): string {
  if (os === "windows") {
    return [
      "$ErrorActionPreference = 'Stop'",
      ...plan.files.map((f) => `Copy-Item -Force "${staged.get(f.path)}" "${f.path}"`),
      ...plan.commands,
    ].join("\r\n") + "\r\n";
  }
  return [
    "#!/bin/sh",
    "set -eu",
    ...plan.files.flatMap((f) => {
      const dir = f.path.slice(0, f.path.lastIndexOf("/"));
      return [
        `mkdir -p ${shQuote(dir)}`,
        `install -m 0644 ${shQuote(staged.get(f.path)!)} ${shQuote(f.path)}`,
      ];
    }),
    ...plan.commands,
  ].join("\n") + "\n";
}

function binaryPath(ctx: CliContext): string {
  const given = ctx.str("binary");
  if (given !== undefined) {
    if (!isAbsolute(given)) {
      throw new BarnError("E_USAGE", `--binary must be an absolute path (got '${excerpt(given)}')`);
    }
    return given;
  }
  const exec = Deno.execPath();
  if (/^deno(\.exe)?$/.test(basename(exec))) {
    throw new BarnError(
      "E_USAGE",
      "this barn runs from source under deno; render for the compiled binary with --binary=/usr/local/bin/barn",
    );
  }
  return exec;
}

export async function serviceInstall(ctx: CliContext, uninstall: boolean): Promise<number> {
  const os = Deno.build.os;
  const user = ctx.flag("user");
  const plan = renderService(os, {
    binary: binaryPath(ctx),
    user,
    account: ctx.str("account") ?? "barn",
    userHome: "$HOME",
    home: ctx.home,
  });
  const dry = ctx.flag("dry-run");
  if (uninstall) {
    await writeOut(
      Deno.stdout,
      ctx.format === "json"
        ? JSON.stringify({ commands: plan.uninstall }, null, 2) + "\n"
        : plan.uninstall.join("\n") + "\n",
    );
    return 0;
  }
  const staged = new Map<string, string>();
  if (!dry) {
    const dir = join(ctx.paths.home, "install");
    ensurePrivateDir(dir);
    for (const f of plan.files) {
      const p = join(dir, basename(f.path.replaceAll("\\", "/")));
      writeFileAtomic(p, f.content);
      staged.set(f.path, p);
    }
  } else {for (const f of plan.files) {
      staged.set(f.path, `<staged ${basename(f.path.replaceAll("\\", "/"))}>`);
    }}
  if (ctx.flag("script")) {
    await writeOut(Deno.stdout, installScript(plan, staged, os));
    return 0;
  }
  if (ctx.format === "json") {
    const files = plan.files.map((f) => ({
      path: f.path,
      staged: dry ? null : staged.get(f.path),
      content: f.content,
    }));
    await writeOut(
      Deno.stdout,
      JSON.stringify(
        { dry_run: dry, files, commands: plan.commands, uninstall: plan.uninstall },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  const out: string[] = [];
  for (const f of plan.files) {
    out.push(
      `# ${f.path}${dry ? "" : `  (staged at ${staged.get(f.path)})`}`,
      f.content.trimEnd(),
      "",
    );
  }
  out.push(
    "# then, as the account that may install services:",
    installScript(plan, staged, os).trimEnd(),
  );
  if (!dry) out.push("", "# or let the script do it: barn service install --script | sudo sh");
  await writeOut(Deno.stdout, out.join("\n") + "\n");
  return 0;
}

/**
 * `deno task compile [TARGET…]`: self-contained binaries per OS into dist/, barn and barn-fleet,
 * each under its own permission set, each from its bundle (install/bundle.ts) stamped with version
 * and commit.
 */

import { buildBundle } from "./bundle.ts";
import {
  BINARIES,
  type Binary,
  compileArgs,
  denortHint,
  outputName,
  type PermissionSet,
  type Target,
  TARGETS,
} from "./compile_plan.ts";
import { fromFileUrl } from "../src/platform/path.ts";

const root = fromFileUrl(new URL("../", import.meta.url));
const config = JSON.parse(Deno.readTextFileSync(`${root}deno.json`));
const wanted = (Deno.args.length ? Deno.args : [...TARGETS]) as Target[];
for (const t of wanted) {
  if (!(TARGETS as readonly string[]).includes(t)) {
    console.error(`unknown target ${t}; known: ${TARGETS.join(", ")}`);
    Deno.exit(2);
  }
}

const git = await new Deno.Command("git", {
  args: ["rev-parse", "--short", "HEAD"],
  cwd: root,
  stdout: "piped",
  stderr: "null",
})
  .output();
const commit = git.success ? new TextDecoder().decode(git.stdout).trim() : "unknown";
Deno.mkdirSync(`${root}dist`, { recursive: true });
for (const binary of Object.keys(BINARIES) as Binary[]) {
  await buildBundle({ binary, stamp: { version: config.version, commit } });
}
let failed = 0;
for (
  const [t, binary] of wanted.flatMap((t) =>
    Object.keys(BINARIES).map((b) => [t, b as Binary] as const)
  )
) {
  const set: PermissionSet = config.permissions[BINARIES[binary].set];
  const args = compileArgs(set, t, binary);
  console.error(`compiling ${outputName(t, binary)} (barn ${config.version}, ${commit})`);
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (!out.success) {
    failed++;
    const err = new TextDecoder().decode(out.stderr);
    console.error(denortHint(err, t) ?? err);
  }
}
if (Deno.env.get("DENORT_BIN")) console.error(`(used DENORT_BIN=${Deno.env.get("DENORT_BIN")})`);
Deno.exit(failed ? 1 : 0);

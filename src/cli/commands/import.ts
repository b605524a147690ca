/** barn import NAME | --tar: stdin into BARN_HOME/input/ (`cat clip.mp4 | ssh host barn import clip.mp4`). */

import { lazy } from "../../lazy.ts";
import { BarnError } from "../../errors.ts";
import type { Command } from "../command.ts";
import type { CliContext } from "../context.ts";

async function importStdin(ctx: CliContext): Promise<number> {
  const tar = ctx.flag("tar");
  if (tar ? ctx.positionals.length !== 0 : ctx.positionals.length !== 1) {
    throw new BarnError(
      "E_USAGE",
      tar
        ? "barn import --tar takes no name: the archive names its files"
        : "usage: barn import NAME < file (or barn import --tar < archive.tar)",
    );
  }
  if (Deno.stdin.isTerminal()) {
    throw new BarnError(
      "E_USAGE",
      "barn import reads stdin: pipe the data in (`cat clip.mp4 | ssh host barn import clip.mp4`)",
    );
  }
  const { expectedOf } = await lazy<typeof import("../../archive/stream_check.ts")>(
    import.meta.url,
    "../../archive/stream_check.ts",
  );
  const opts = {
    overwrite: ctx.flag("overwrite"),
    expected: expectedOf(ctx.str("size"), ctx.str("sha256")),
  };
  const input = ctx.paths.input;
  if (tar) {
    const { importTar } = await lazy<typeof import("../../archive/import_tar.ts")>(
      import.meta.url,
      "../../archive/import_tar.ts",
    );
    const r = await importTar(input, Deno.stdin.readable, opts);
    await ctx.print({
      view: "message",
      message: r.files.map((f) => f.path).join("\n") || "(the archive held no files)",
      data: {
        files: r.files.map(({ path, size }) => ({ path, size })),
        size: r.size,
        sha256: r.sha256,
      },
    });
    return 0;
  }
  const { importFile } = await lazy<typeof import("../../archive/import_file.ts")>(
    import.meta.url,
    "../../archive/import_file.ts",
  );
  const f = await importFile(input, ctx.positionals[0]!, Deno.stdin.readable, opts);
  await ctx.print({ view: "message", message: f.path, data: { ...f } });
  return 0;
}

export const importCommand: Command = {
  name: "import",
  summary: "read a file (or a tar stream) from stdin into BARN_HOME/input/",
  usage:
    "barn import NAME [--overwrite] [--size=N] [--sha256=HEX] | barn import --tar [--overwrite]",
  example: "cat clip.mp4 | ssh media-host barn import --size=$(stat -c %s clip.mp4) clip.mp4",
  options: {
    tar: { type: "boolean" },
    overwrite: { type: "boolean" },
    size: { type: "string" },
    sha256: { type: "string" },
  },
  run: importStdin,
};

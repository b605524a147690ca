/** barn-fleet hostinfo: each host's barn, OS, tool versions and free disk (works with the service down). */

import { BarnError } from "../../errors.ts";
import { known, maybe, num, pick, str } from "../../protocol/shape.ts";
import type { FleetCommand } from "../command.ts";
import { fanOut } from "../fan_out.ts";
import { remoteJson } from "../remote_command.ts";
import type { HostInfo } from "../view.ts";

const s = str({ max: 4096 });
const FIELDS = {
  hostname: s,
  os: s,
  arch: s,
  os_release: s,
  barn_version: s,
  barn_commit: s,
  deno_version: s,
  ffmpeg: maybe(s),
  ffprobe: maybe(s),
  curl: maybe(s),
  barn_home: s,
  free_bytes: num({ min: 0 }),
};
const check = known(FIELDS);

/** What a host printed, checked and cut down to the known fields. */
export function parseHostInfo(host: string, raw: unknown): HostInfo {
  const problem = check(raw, "");
  if (problem) throw new BarnError("E_PROTOCOL", `${host} sent an invalid hostinfo: ${problem}`);
  return pick<HostInfo>(raw, Object.keys(FIELDS));
}

export const hostinfo: FleetCommand = {
  name: "hostinfo",
  summary: "each host's barn, OS, tool versions and free disk",
  usage: "barn-fleet --hosts=… hostinfo",
  example: "barn-fleet --hosts=media-1,media-2 hostinfo --output=json",
  options: {},
  async run(ctx) {
    const hosts = await ctx.hosts();
    const settings = ctx.settings;
    const results = await fanOut(hosts, (h) => h.name, ctx.fanOptions(), async (h, signal) => ({
      hostinfo: parseHostInfo(
        h.name,
        await remoteJson(h, settings, [h.barn, "hostinfo", "--output=json"], signal),
      ),
    }));
    return await ctx.print({ view: "hostinfo", results });
  },
};

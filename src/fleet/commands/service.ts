/** barn-fleet service status: each host's service, up or down, its version and its queue. */

import { BarnError } from "../../errors.ts";
import type { FleetCommand } from "../command.ts";
import { perHost } from "../sessions.ts";

export const service: FleetCommand = {
  name: "service",
  summary: "service status across the fleet: up/down, version, queued and running jobs",
  usage: "barn-fleet --hosts=… service status",
  example: "barn-fleet --hosts=- service status < hosts.txt",
  options: {},
  async run(ctx) {
    if (ctx.positionals.length !== 1 || ctx.positionals[0] !== "status") {
      throw new BarnError(
        "E_USAGE",
        "barn-fleet service status is the fleet's service command; start, stop and install run on a host " +
          "(`ssh HOST barn service start`, or `barn-fleet deploy --service-install`)",
      );
    }
    const results = await perHost(ctx, (r) => r.request({ kind: "service_status" }));
    return await ctx.print({ view: "service_status", results });
  },
};

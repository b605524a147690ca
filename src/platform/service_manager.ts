/** The host's service manager: render barn's unit, plist or WinSW config, and the commands to enable it. */

import { renderSystemd } from "./service_systemd.ts";
import { renderLaunchd } from "./service_launchd.ts";
import { renderWindows } from "./service_windows.ts";
import type { InstallPlan, InstallRequest } from "./service_plan.ts";

export function renderService(os: typeof Deno.build.os, r: InstallRequest): InstallPlan {
  switch (os) {
    case "linux":
      return renderSystemd(r);
    case "darwin":
      return renderLaunchd(r);
    case "windows":
      return renderWindows(r);
    default:
      throw new Error(
        `no service manager support for ${os}: run \`barn service run\` under your own supervisor`,
      );
  }
}

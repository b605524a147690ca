/** The host's service manager: render barn's unit, plist or WinSW config, and the commands to enable it. */

import { renderSystemd } from "./service_systemd.ts";
import { renderLaunchd } from "./service_launchd.ts";
import { renderWindows } from "./service_windows.ts";

export interface InstallRequest {
  /** The real path of the barn binary (a file, not a symlink). */
  binary: string;
  /** Run as a per-user service (systemd --user, LaunchAgent) instead of a system one. */
  user: boolean;
  /** The account the system service runs as (the one SSH users log in as). */
  account: string;
  /** That account's home directory, for user units. */
  userHome: string;
  home: string;
}

export interface InstallPlan {
  files: { path: string; content: string }[];
  /** Commands that install and start it (the privileged part, run by install scripts or you). */
  commands: string[];
  uninstall: string[];
}

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

/** launchd: a LaunchDaemon or a LaunchAgent, rendered from launchd/ with the real binary path. */

import daemon from "../../launchd/com.barn.daemon.plist" with { type: "text" };
import agent from "../../launchd/com.barn.agent.plist" with { type: "text" };
import { type InstallPlan, type InstallRequest, xmlEscape } from "./service_plan.ts";

export function renderLaunchd(r: InstallRequest): InstallPlan {
  const dir = r.binary.slice(0, r.binary.lastIndexOf("/")) || "/";
  const log = `${r.home}/logs/launchd.log`;
  const content = (r.user ? agent : daemon)
    .replaceAll("@BARN_BIN@", xmlEscape(r.binary))
    .replaceAll("@BARN_DIR@", xmlEscape(dir))
    .replaceAll("@BARN_USER@", xmlEscape(r.account))
    .replaceAll("@BARN_HOME@", xmlEscape(r.home))
    .replaceAll("@BARN_LOG@", xmlEscape(log));
  if (r.user) {
    const path = `${r.userHome}/Library/LaunchAgents/com.barn.agent.plist`;
    return {
      files: [{ path, content }],
      commands: [
        `launchctl bootstrap gui/$(id -u) ${path}`,
        "launchctl enable gui/$(id -u)/com.barn.agent",
      ],
      uninstall: ["launchctl bootout gui/$(id -u)/com.barn.agent", `rm ${path}`],
    };
  }
  const path = "/Library/LaunchDaemons/com.barn.daemon.plist";
  return {
    files: [{ path, content }],
    commands: [
      `chown root:wheel ${path}`,
      `chmod 644 ${path}`,
      `launchctl bootstrap system ${path}`,
    ],
    uninstall: ["launchctl bootout system/com.barn.daemon", `rm ${path}`],
  };
}

/** systemd: the system unit or the user unit, rendered from systemd/ with the real binary path. */

import systemUnit from "../../systemd/barn.service" with { type: "text" };
import userUnit from "../../systemd/barn-user.service" with { type: "text" };
import tmpfiles from "../../systemd/barn-tmpfiles.conf" with { type: "text" };
import type { InstallPlan, InstallRequest } from "./service_plan.ts";

/** systemd's quoting for a path in ExecStart: quoted when it holds spaces, with \\ and " escaped. */
export function systemdQuote(path: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(path)) return path;
  return `"${path.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Environment= values: quoted when they hold spaces. */
function envValue(v: string): string {
  return /[\s"\\]/.test(v) ? `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : v;
}

export function renderSystemd(r: InstallRequest): InstallPlan {
  const unit = (r.user ? userUnit : systemUnit)
    .replaceAll("@BARN_BIN@", systemdQuote(r.binary))
    .replaceAll("@BARN_USER@", r.account)
    .replaceAll("BARN_HOME=@BARN_HOME@", `BARN_HOME=${envValue(r.home)}`);
  if (r.user) {
    const path = `${r.userHome}/.config/systemd/user/barn.service`;
    return {
      files: [{ path, content: unit }, {
        path: `${r.userHome}/.config/user-tmpfiles.d/barn.conf`,
        content: tmpfiles,
      }],
      commands: [
        `mkdir -p ${r.userHome}/.config/systemd/user`,
        "systemctl --user daemon-reload",
        "systemctl --user enable --now barn.service",
        `loginctl enable-linger ${r.account}`,
      ],
      uninstall: [
        "systemctl --user disable --now barn.service",
        `rm ${path} ${r.userHome}/.config/user-tmpfiles.d/barn.conf`,
        "systemctl --user daemon-reload",
      ],
    };
  }
  return {
    files: [
      { path: "/etc/systemd/system/barn.service", content: unit },
      { path: "/etc/tmpfiles.d/barn.conf", content: tmpfiles },
    ],
    commands: [
      `id -u ${r.account} >/dev/null 2>&1 || useradd --system --create-home --shell /bin/bash ${r.account}`,
      "systemctl daemon-reload",
      "systemctl enable --now barn.service",
    ],
    uninstall: [
      "systemctl disable --now barn.service",
      "rm /etc/systemd/system/barn.service /etc/tmpfiles.d/barn.conf",
      "systemctl daemon-reload",
    ],
  };
}

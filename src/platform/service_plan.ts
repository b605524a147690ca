/** What a service-manager renderer takes and gives (the unit, plist or WinSW config, and commands). */

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

/** Escapes text for an XML text node or attribute (launchd plists, WinSW configs). */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

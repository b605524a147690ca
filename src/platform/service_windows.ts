/** Windows: a WinSW service wrapper, configured from windows/barn-service.xml (see windows/README.md). */

import xml from "../../windows/barn-service.xml" with { type: "text" };
import { type InstallPlan, type InstallRequest, xmlEscape } from "./service_plan.ts";

export function renderWindows(r: InstallRequest): InstallPlan {
  const dir = r.binary.slice(0, Math.max(r.binary.lastIndexOf("\\"), r.binary.lastIndexOf("/"))) ||
    ".";
  const content = xml.replaceAll("@BARN_BIN@", xmlEscape(r.binary)).replaceAll(
    "@BARN_HOME@",
    xmlEscape(r.home),
  );
  const wrapper = `${dir}\\barn-service.exe`;
  return {
    files: [{ path: `${dir}\\barn-service.xml`, content }],
    commands: [
      `# download WinSW-x64.exe (v2.12) from its GitHub releases and save it as ${wrapper}`,
      `& "${wrapper}" install`,
      `& "${wrapper}" start`,
    ],
    uninstall: [
      `& "${wrapper}" stop`,
      `& "${wrapper}" uninstall`,
      `Remove-Item "${dir}\\barn-service.xml"`,
    ],
  };
}

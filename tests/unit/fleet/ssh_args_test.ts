import { assert, assertEquals } from "../../helpers/assert.ts";
import { scpArgs, scpTarget, sshArgs, type SshSettings } from "../../../src/fleet/ssh_args.ts";

const host = { name: "media-1", tags: [], barn: "/opt/barn" };
const settings: SshSettings = {
  configFile: "/tmp/cfg",
  connectTimeoutSeconds: 2.5,
  controlDir: "/tmp/barn-fleet",
  controlPersistSeconds: 120,
};

Deno.test("ssh argv: batch mode, connect timeout, multiplexing, then -- and the fixed remote words", () => {
  const a = sshArgs(settings, host, [host.barn, "dial-stdio"]);
  assertEquals(a.slice(0, 3), ["-T", "-F", "/tmp/cfg"]);
  for (
    const o of [
      "BatchMode=yes",
      "ConnectTimeout=3",
      "ControlMaster=auto",
      "ControlPath=/tmp/barn-fleet/%C",
      "ControlPersist=120s",
    ]
  ) assert(a.includes(o), o);
  // The destination comes after "--": nothing after it is read as an ssh option.
  assertEquals(a.slice(-4), ["--", "media-1", "/opt/barn", "dial-stdio"]);
  const plain = sshArgs({ ...settings, configFile: null, controlDir: null }, host, ["x"]);
  assert(!plain.includes("-F") && plain.includes("ControlPath=none"), plain.join(" "));
});

Deno.test("scp argv: -p keeps the mode, the target names the host; ssh:// becomes scp://", () => {
  const a = scpArgs(settings, host, "dist/barn", "/usr/local/bin/.barn-deploy-1");
  assertEquals(a.slice(0, 2), ["-p", "-q"]);
  assertEquals(a.slice(-3), ["--", "dist/barn", "media-1:/usr/local/bin/.barn-deploy-1"]);
  assertEquals(
    scpTarget({ name: "ssh://u@h:2222", tags: [], barn: "barn" }, "/opt/x"),
    "scp://u@h:2222//opt/x",
  );
});

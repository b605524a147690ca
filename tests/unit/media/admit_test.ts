import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { defaultConfig } from "../../../src/config/config.ts";
import { admitMediaJob } from "../../../src/media/admit.ts";
import type { JobSpec } from "../../../src/jobs/job.ts";

Deno.test("submission moves curl credentials into secrets and checks every media tool", () => {
  const config = defaultConfig();
  const spec: JobSpec = { command: ["curl", "-su", "a:b", "https://h/"], cwd: "/tmp/barn" };
  admitMediaJob(spec, config);
  assertEquals(spec.command, ["curl", "-s", "https://h/"]);
  assertEquals(spec.secrets, { curl_configs: [{ at: 1, text: 'user = "a:b"\n' }] });
  // A retry's command is already free of credentials and keeps the files it brings.
  const retry: JobSpec = {
    command: ["curl", "-s", "https://h/"],
    cwd: "/tmp/barn",
    secrets: { curl_configs: [{ at: 1, text: 'user = "a:b"\n' }] },
  };
  admitMediaJob(retry, config);
  assertEquals(retry.secrets?.curl_configs?.length, 1);
  for (
    const command of [
      ["curl", "-u", "x:y", "https://h/"], // credentials on top of given config files
      ["curl", "--proto", "=file", "file:///etc/passwd"],
      ["ffmpeg", "-i", "https://u:p@h/x.mp4", "o.mp4"],
      ["ffprobe", "concat:a|b"],
    ]
  ) {
    const s: JobSpec = { command, cwd: "/tmp/barn", secrets: retry.secrets ?? null };
    assertEquals(assertThrows(() => admitMediaJob(s, config), BarnError).code, "E_USAGE");
  }
  const other: JobSpec = { command: ["barn", "get", "u", "p"], cwd: "/tmp/barn" };
  admitMediaJob(other, config);
  assertEquals(other.command, ["barn", "get", "u", "p"]);
});

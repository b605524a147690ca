import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { waitFor } from "../../helpers/barn.ts";
import { defaultConfig } from "../../../src/config/config.ts";
import type { Backend } from "../../../src/client/backend.ts";
import { Watchers } from "../../../src/service/watchers.ts";

Deno.test("watchers: a folder that cannot be watched is a warning with its code, and a stop cancels its retry", async () => {
  const unused = () => Promise.reject(new Error("no request is made for a refused folder"));
  const backend = { request: unused, stream: unused, close: () => {} } as unknown as Backend;
  const logged: string[] = [];
  const warned: string[] = [];
  const w = new Watchers(backend, (m) => logged.push(m), (m) => warned.push(m));
  await w.apply({ ...defaultConfig(), watch_folders: [{ path: "/etc", poll_seconds: 1 }] });
  await waitFor(() => warned.length > 0, { what: "the refusal" });
  assertMatch(warned[0]!, /^watch folder \/etc: .*\[E_SANDBOX\]; tried again every 10s$/);
  assertEquals(logged.filter((l) => /E_SANDBOX/.test(l)), [], "not logged as news");
  // No retry timer outlives the stop (the test's sanitizer would report it).
  w.stopAll();
});

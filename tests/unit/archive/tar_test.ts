import { assertEquals, assertRejects } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { TarOut } from "../../../src/archive/tar.ts";

Deno.test("TarOut.file: a file shorter than its header (it shrank while read) is E_IO, not E_INTERNAL", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "barn-tar-" });
  try {
    Deno.writeTextFileSync(`${dir}/f`, "0123456789");
    const out: Uint8Array[] = [];
    const tar = new TarOut((c) => {
      out.push(c.slice());
      return Promise.resolve();
    });
    const f = Deno.openSync(`${dir}/f`);
    try {
      const header = { name: "barn-x/outputs/f", size: 20, mode: 0o600, mtime: new Date(0) };
      const e = await assertRejects(() => tar.file(header, f, () => {}), BarnError);
      assertEquals(e.code, "E_IO");
      assertEquals(e.message.startsWith("barn-x/outputs/f shrank by 10 bytes"), true, e.message);
    } finally {
      f.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

import { assertEquals } from "../../../helpers/assert.ts";
import { logSink } from "../../../../src/cli/commands/logs.ts";

/** An output that records what it is given, a terminal or not. */
function output(terminal: boolean) {
  const got: Uint8Array[] = [];
  return {
    got,
    text: () => new TextDecoder().decode(new Uint8Array(got.flatMap((c) => [...c]))),
    isTerminal: () => terminal,
    write(p: Uint8Array): Promise<number> {
      got.push(p.slice());
      return Promise.resolve(p.length);
    },
  };
}

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("logSink on a terminal: escapes what could drive it, across reads that split a character or a \\r\\n", async () => {
  const out = output(true);
  const sink = logSink(out, false);
  const bytes = enc("é\x1b[2J\u202eevil\tok\r");
  // 'é' is two bytes: the first read ends inside it.
  await sink.write(bytes.subarray(0, 1));
  await sink.write(bytes.subarray(1));
  await sink.write(enc("\nframe=1\rframe=2\r"));
  await sink.write(enc("done\n"));
  assertEquals(out.text(), "é\\u001b[2J\\u202eevil\tok\nframe=1\nframe=2\ndone\n");
});

Deno.test("logSink copies bytes unchanged into a pipe or a file, and with --raw", async () => {
  const bytes = new Uint8Array([0x1b, 0x5d, 0x30, 0x3b, 0x07, 0x0d, 0x0a, 0xff]);
  const cases: [boolean, boolean][] = [[false, false], [true, true], [false, true]];
  for (const [terminal, raw] of cases) {
    const out = output(terminal);
    await logSink(out, raw).write(bytes);
    assertEquals(out.got, [bytes], `terminal=${terminal} raw=${raw}`);
  }
});

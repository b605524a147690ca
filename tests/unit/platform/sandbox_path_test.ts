import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { tempHome } from "../../helpers/barn.ts";
import { BarnError } from "../../../src/errors.ts";
import {
  checkOpened,
  existingInside,
  isSecretPath,
  makeDirsInside,
  sandboxPath,
  underRoot,
} from "../../../src/platform/sandbox_path.ts";

Deno.test("underRoot spells a real path by the sandbox root's own name, or refuses it", () => {
  assertEquals(underRoot("/private/tmp/barn/h/x", "/private/tmp/barn"), "/tmp/barn/h/x");
  assertEquals(underRoot("/private/tmp/barn", "/private/tmp/barn"), "/tmp/barn");
  assertEquals(underRoot("/tmp/barn/h", "/tmp/barn"), "/tmp/barn/h");
  assertEquals(underRoot("/tmp/barnyard/x", "/tmp/barn"), null);
  assertEquals(underRoot("/etc/passwd", "/tmp/barn"), null);
});

/** A home with links planted: out → a dir outside, in → a dir inside, dead → nowhere, loop ↔ loop2. */
function planted(): { home: string; out: string; done(): void } {
  const home = tempHome("sbx-unit");
  const out = Deno.makeTempDirSync({ dir: "/var/tmp", prefix: "barn-escape-" });
  Deno.mkdirSync(`${home}/real`);
  Deno.writeTextFileSync(`${home}/real/f.txt`, "inside\n");
  Deno.symlinkSync(out, `${home}/out`);
  Deno.symlinkSync(`${home}/real`, `${home}/in`);
  Deno.symlinkSync(`${out}/nothing`, `${home}/dead`);
  Deno.symlinkSync(`${home}/loop2`, `${home}/loop`);
  Deno.symlinkSync(`${home}/loop`, `${home}/loop2`);
  return {
    home,
    out,
    done() {
      Deno.removeSync(home, { recursive: true });
      Deno.removeSync(out, { recursive: true });
    },
  };
}

const code = (f: () => unknown) => assertThrows(f, BarnError).code;

Deno.test("sandboxPath follows links inside, refuses every way out", () => {
  const t = planted();
  try {
    const h = t.home;
    assertEquals(sandboxPath(`${h}/in/f.txt`, "x"), `${h}/real/f.txt`);
    assertEquals(sandboxPath(`${h}/in/new/deeper.txt`, "x"), `${h}/real/new/deeper.txt`);
    assertEquals(sandboxPath("f.txt", "x", `${h}/in`), `${h}/real/f.txt`);
    assertEquals(sandboxPath(`${h}/not/yet`, "x"), `${h}/not/yet`);
    assertEquals(code(() => sandboxPath(`${h}/out`, "x")), "E_SANDBOX");
    assertEquals(code(() => sandboxPath(`${h}/out/new.txt`, "x")), "E_SANDBOX");
    assertEquals(code(() => sandboxPath(`${h}/dead`, "x")), "E_SANDBOX");
    assertEquals(code(() => sandboxPath(`${h}/dead/x`, "x")), "E_SANDBOX");
    assertEquals(code(() => sandboxPath(`${h}/loop/x`, "x")), "E_SANDBOX");
    assertEquals(code(() => sandboxPath("/var/tmp/x", "x")), "E_SANDBOX");
    assertEquals(code(() => sandboxPath(`${h}/../../../etc/passwd`, "x")), "E_SANDBOX");
    assertEquals(existingInside(`${h}/in/f.txt`), `${h}/real/f.txt`);
    assertEquals(existingInside(`${h}/out`), null);
    assertEquals(existingInside(`${h}/missing`), null);
  } finally {
    t.done();
  }
});

Deno.test("makeDirsInside creates what is missing, never through a link", () => {
  const t = planted();
  try {
    const made = makeDirsInside(`${t.home}/in/a/b`, "x");
    assertEquals(made, `${t.home}/real/a/b`);
    assert(Deno.lstatSync(made).isDirectory);
    assertEquals(code(() => makeDirsInside(`${t.home}/out/a`, "x")), "E_SANDBOX");
    assertEquals(code(() => makeDirsInside(`${t.home}/dead/a`, "x")), "E_SANDBOX");
    assertEquals([...Deno.readDirSync(t.out)], []);
  } finally {
    t.done();
  }
});

Deno.test("checkOpened refuses a file reached out of the sandbox, or through a link when exact", () => {
  const t = planted();
  try {
    Deno.writeTextFileSync(`${t.out}/secret`, "outside\n");
    const check = (path: string, exact: boolean) => {
      const f = Deno.openSync(path, { read: true });
      try {
        checkOpened(f, path, "x", exact);
      } finally {
        f.close();
      }
    };
    check(`${t.home}/real/f.txt`, true);
    check(`${t.home}/in/f.txt`, false);
    assertEquals(code(() => check(`${t.home}/in/f.txt`, true)), "E_SANDBOX");
    assertEquals(code(() => check(`${t.home}/out/secret`, false)), "E_SANDBOX");
  } finally {
    t.done();
  }
});

Deno.test("checkOpened refuses a link inside the sandbox that leads to one of barn's secrets", () => {
  const t = planted();
  try {
    const secret = `${t.home}/jobs/a/secrets/curl-1.conf`;
    Deno.mkdirSync(`${t.home}/jobs/a/secrets`, { recursive: true });
    Deno.mkdirSync(`${t.home}/jobs/b`);
    Deno.writeTextFileSync(secret, 'user = "u:pw"\n');
    Deno.writeTextFileSync(`${t.home}/credentials.json`, "{}\n");
    Deno.symlinkSync(secret, `${t.home}/jobs/b/stdout.log`);
    Deno.symlinkSync(`${t.home}/jobs/a/secrets`, `${t.home}/jobs/b/s`);
    Deno.symlinkSync(`${t.home}/credentials.json`, `${t.home}/config.json`);
    const check = (path: string) => {
      const f = Deno.openSync(path, { read: true });
      try {
        checkOpened(f, path, "x", false);
      } finally {
        f.close();
      }
    };
    check(secret); // barn reads a secret by its own name
    check(`${t.home}/credentials.json`);
    for (const via of ["jobs/b/stdout.log", "jobs/b/s/curl-1.conf", "config.json"]) {
      assertEquals(code(() => check(`${t.home}/${via}`)), "E_SANDBOX", via);
    }
  } finally {
    t.done();
  }
});

Deno.test("barn's secrets: any home's jobs/<id>/secrets/ and credentials.json", () => {
  const yes = [
    "/tmp/barn/jobs/abc/secrets/curl.conf",
    "/tmp/barn/h/jobs/abc/secrets",
    "/tmp/barn/a/b/jobs/x/secrets/dav.json",
    "/tmp/barn/credentials.json",
    "/tmp/barn/h/credentials.json",
  ];
  const no = [
    "/tmp/barn/jobs/abc/stdout.log",
    "/tmp/barn/jobs/secrets/x",
    "/tmp/barn/input/secrets.mp4",
    "/var/tmp/jobs/a/secrets/x",
    "/tmp/barn/credentials.json.bak",
  ];
  assertEquals(yes.map(isSecretPath), yes.map(() => true));
  assertEquals(no.map(isSecretPath), no.map(() => false));
});

/**
 * The credential-leak test: one real curl job per credential-bearing option against a real
 * WebDAV server (rclone) with a random password, plus -v jobs over HTTP/1.1 and HTTP/2. A gate
 * holds every answer until a `ps` sampler has seen each job running; then the whole BARN_HOME,
 * every `ps` sample and every command's human, JSON and XML output are searched for the
 * password in raw, base64 and percent-encoded form. Only the jobs' 0600 secret files may hold it.
 */

import { assert, assertEquals } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, MAIN, startService, tempHome, waitFor } from "./helpers/barn.ts";
import { startDav, startGate } from "./helpers/dav.ts";

const USER = "media";
// ':' ' ' '/' '@' make the percent-encoded form differ from the raw one.
const PW = `pw:${crypto.randomUUID()} /@x`;

function b64(s: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(s)));
}

/** Every form the password could leak in. */
const FORMS = [PW, b64(PW), b64(`${USER}:${PW}`), encodeURIComponent(PW)];

function leaks(text: string): string[] {
  return FORMS.filter((f) => text.includes(f));
}

/** Samples `ps -eww -o args` until stopped; every sample is kept. */
function psSampler(): { samples: string[]; stop(): Promise<void> } {
  const samples: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const out = await new Deno.Command("ps", { args: ["-eww", "-o", "args="], stdout: "piped" })
        .output();
      samples.push(new TextDecoder().decode(out.stdout));
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** A streaming barn command whose raw stdout is collected. */
function stream(home: string, args: string[]): { text(): string; stop(): Promise<void> } {
  const child = new Deno.Command(DENO, {
    args: ["run", "-q", "-P=barn", MAIN, ...args],
    env: { BARN_HOME: home, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let buf = "";
  const reading = (async () => {
    for await (const c of child.stdout.pipeThrough(new TextDecoderStream())) buf += c;
  })();
  return {
    text: () => buf,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await reading.catch(() => {});
      await child.stderr.cancel().catch(() => {});
    },
  };
}

/** Every file under `dir`, with its contents as latin1 text (DB, WAL, -shm, logs, job dirs). */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.isFile) out.set(p, new TextDecoder("latin1").decode(Deno.readFileSync(p)));
    }
  };
  walk(dir);
  return out;
}

Deno.test("credentials of every curl option stay out of ps, BARN_HOME and every output", async () => {
  const home = tempHome("creds");
  const data = `${home}-dav`;
  Deno.mkdirSync(data, { mode: 0o700 });
  Deno.writeFileSync(`${data}/clip.bin`, crypto.getRandomValues(new Uint8Array(65536)));
  const tlsDir = `${home}-tls`;
  Deno.mkdirSync(tlsDir, { mode: 0o700 });
  const openssl = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${tlsDir}/key.pem`,
      "-out",
      `${tlsDir}/cert.pem`,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  assert(openssl.success, "openssl could not make a test certificate");
  const dav = await startDav(data, USER, PW);
  const tls = await startDav(data, USER, PW, {
    tls: { cert: `${tlsDir}/cert.pem`, key: `${tlsDir}/key.pem` },
  });
  const gate = startGate(dav.url);
  const tlsGate = startGate(tls.url);
  const sampler = psSampler();
  const listeners: { text(): string; stop(): Promise<void> }[] = [];
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_parallel": 32}');
    await startService(home);
    listeners.push(
      stream(home, ["listen", "--since=0", "--progress"]),
      stream(home, ["listen", "--since=0", "--output=json"]),
    );
    const G = `${gate.url}/clip.bin`;
    const GI = `http://${USER}:${encodeURIComponent(PW)}@127.0.0.1:${gate.port}`;
    const login = `${USER}:${PW}`;
    const basic = `Basic ${b64(login)}`;
    const none = `${home}/input/none.pem:${PW}`;
    const out = (name: string) => `${home}/output/${name}.bin`;
    // One job per credential-bearing option, each in another spelling; -u where the option alone can't log in.
    const jobs: Record<string, string[]> = {
      user_cluster: ["-sSfu", login, "-o", out("user_cluster"), G],
      user_glued: ["-sSf", `-u${login}`, "-o", out("user_glued"), G],
      user_equals: ["-sSf", `--user=${login}`, "-o", out("user_equals"), G],
      url_userinfo: ["-sSf", "-o", out("url_userinfo"), `${GI}/clip.bin`],
      url_option: ["-sSf", "-o", out("url_option"), "--url", `${GI}/clip.bin`],
      header_auth: ["-sSfH", `Authorization: ${basic}`, "-o", out("header_auth"), G],
      oauth2_bearer: ["-sS", "--oauth2-bearer", PW, "-o", out("oauth2_bearer"), G],
      header_cookie: [
        "-sSf",
        "-H",
        `Cookie: sid=${PW}`,
        "-u",
        login,
        "-o",
        out("header_cookie"),
        G,
      ],
      cookie: ["-sSfb", `sid=${PW}`, "-u", login, "-o", out("cookie"), G],
      proxy_userinfo: ["-sSf", "-x", GI, "-u", login, "-o", out("proxy_userinfo"), G],
      proxy_user: ["-sSfU", login, "-x", gate.url, "-u", login, "-o", out("proxy_user"), G],
      proxy_header: [
        "-sSf",
        "-x",
        gate.url,
        "--proxy-header",
        `Proxy-Authorization: ${basic}`,
        "-u",
        login,
        "-o",
        out("proxy_header"),
        G,
      ],
      cert: ["-sSfE", none, "-u", login, "-o", out("cert"), G],
      proxy_cert: ["-sSf", "--proxy-cert", none, "-u", login, "-o", out("proxy_cert"), G],
      pass: ["-sSf", "--pass", PW, "-u", login, "-o", out("pass"), G],
      proxy_pass: ["-sSf", "--proxy-pass", PW, "-u", login, "-o", out("proxy_pass"), G],
      tlspassword: [
        "-sSf",
        "--tlsuser",
        USER,
        "--tlspassword",
        PW,
        "-u",
        login,
        "-o",
        out("tlspassword"),
        G,
      ],
      proxy_tlspassword: [
        "-sSf",
        "--proxy-tlsuser",
        USER,
        "--proxy-tlspassword",
        PW,
        "-u",
        login,
        "-o",
        out("proxy_tlspassword"),
        G,
      ],
      preproxy: [
        "-sS",
        "--preproxy",
        `socks5://${USER}:${encodeURIComponent(PW)}@127.0.0.1:${gate.port}`,
        "-o",
        out("preproxy"),
        G,
      ],
      next_groups: [
        "-sSf",
        "-u",
        login,
        "-o",
        out("next_groups"),
        G,
        "--next",
        "-sSf",
        "-o",
        out("next_groups_2"),
        `${GI}/clip.bin`,
      ],
      verbose: ["-sSfv", "-u", login, "-o", out("verbose"), G],
      verbose_meter: ["-fv", "-u", login, "-o", out("verbose_meter"), G],
      verbose_http2: [
        "-sSfvk",
        "--http2",
        "-u",
        login,
        "-o",
        out("verbose_http2"),
        `${tlsGate.url}/clip.bin`,
      ],
    };
    const names = Object.keys(jobs);
    // JSON Lines on stdin: the submitting client's own argv holds no password either.
    const batch = names.map((n) => JSON.stringify({ command: ["curl", ...jobs[n]!], tag: n }))
      .join("\n");
    const sub = await barn(home, ["run", "--batch=-", "--output=json"], { stdin: batch });
    assertEquals(sub.code, 0, sub.stderr);
    const ids = new Map<string, string>(
      (sub.json() as { job_id: string; tag: string }[]).map((j) => [j.tag, j.job_id]),
    );
    assertEquals(ids.size, names.length);

    // Every job is seen running in ps, with its -K file in place of its credentials.
    await waitFor(
      () =>
        names.every((n) =>
          sampler.samples.some((s) =>
            s.includes(`-o ${out(n)}`) && s.includes("/secrets/curl-1.conf")
          )
        ),
      { what: "ps to show every curl job running", timeoutMs: 60_000 },
    );
    gate.open();
    tlsGate.open();
    const waited = await barn(home, ["wait", ...ids.values(), "--timeout=120s"]);
    await sampler.stop();
    const outputs: string[] = [sub.stdout, sub.stderr, waited.stdout, waited.stderr];

    const states = new Map<string, string>();
    for (const [name, id] of ids) {
      for (const format of ["human", "json", "xml"]) {
        const d = await barn(home, ["describe", id, `--output=${format}`]);
        outputs.push(d.stdout, d.stderr);
        if (format === "json") states.set(name, d.json().state);
      }
      const logs = await barn(home, ["logs", id]);
      outputs.push(logs.stdout, logs.stderr);
    }
    // Everything logs in, but the SOCKS preproxy (the gate speaks no SOCKS).
    for (const [name, state] of states) {
      assertEquals(state, name === "preproxy" ? "failed" : "succeeded", name);
    }
    for (const name of names.filter((n) => n !== "preproxy" && n !== "oauth2_bearer")) {
      assertEquals(Deno.statSync(out(name)).size, 65536, name);
    }
    // -v shows that a credential went out, never which.
    const stderrOf = (n: string) => Deno.readTextFileSync(`${home}/jobs/${ids.get(n)}/stderr.log`);
    assert(
      stderrOf("verbose").includes("> Authorization: [redacted by barn]"),
      stderrOf("verbose"),
    );
    assert(stderrOf("verbose_meter").includes("Authorization: [redacted by barn]"));
    assert(
      /(h2h3 |\[HTTP\/2\] \[\d+\] )\[authorization: \[redacted by barn\]/.test(
        stderrOf("verbose_http2"),
      ),
      stderrOf("verbose_http2"),
    );

    // A retry gets its own copies of the secret files and logs in with them.
    const retry = await barn(home, ["retry", ids.get("next_groups")!, "--output=json"]);
    const retried = retry.json();
    assertEquals(retried.command.filter((a: string) => a === "-K").length, 2);
    const again = await barn(home, ["wait", retried.job_id, "--timeout=60s"]);
    assertEquals(again.code, 0, again.stdout + again.stderr);
    outputs.push(retry.stdout, retry.stderr);

    for (const format of ["human", "json", "xml"]) {
      const s = await barn(home, ["status", `--output=${format}`]);
      outputs.push(s.stdout, s.stderr);
    }
    for (const l of listeners) await l.stop();
    const [human, json] = listeners.map((l) => l.text());
    assert(names.every((n) => human!.includes(`[${n}]`)), human);
    const running = json!.trim().split("\n").filter((l) => JSON.parse(l).state === "running");
    assert(running.length >= names.length, json);
    outputs.push(human!, json!);

    // The search: ps samples, every output, every file of BARN_HOME.
    assert(sampler.samples.length > 0);
    const psHits = sampler.samples.filter((s) => leaks(s).length > 0);
    assertEquals(psHits.length, 0, `the password shows in ps:\n${psHits[0]}`);
    for (const o of outputs) assertEquals(leaks(o), [], o);
    const secretFiles: string[] = [];
    for (const [path, text] of filesUnder(home)) {
      if (leaks(text).length === 0) continue;
      assert(
        /\/jobs\/[a-z0-9]{12}\/secrets\/curl-\d+\.conf$/.test(path),
        `${path} holds the password`,
      );
      assertEquals((Deno.statSync(path).mode! & 0o777).toString(8), "600", path);
      const dir = path.slice(0, path.lastIndexOf("/"));
      assertEquals((Deno.statSync(dir).mode! & 0o777).toString(8), "700", dir);
      secretFiles.push(path);
    }
    // One file per job, two for the job with two groups, and the retry's own two.
    assertEquals(secretFiles.length, names.length + 1 + 2);
  } finally {
    await sampler.stop();
    for (const l of listeners) await l.stop();
    await gate.stop();
    await tlsGate.stop();
    await dav.stop();
    await tls.stop();
    await cleanupHome(home);
    for (const d of [data, tlsDir]) Deno.removeSync(d, { recursive: true });
  }
});

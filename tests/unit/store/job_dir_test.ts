import { assert, assertEquals } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import {
  everStarted,
  type ExitFile,
  hasExitFile,
  readExitFile,
  readStopRequest,
  removeJobDir,
  REMOVING_SUFFIX,
  tryLockJob,
  writeExitFileThroughLock,
  writeStopRequest,
} from "../../../src/store/job_dir.ts";

Deno.test("job dir: exit.json and a stop request, absent, written or unreadable", async () => {
  const dir = tempHome("jobdir");
  try {
    assertEquals([readExitFile(dir), hasExitFile(dir), readStopRequest(dir)], [null, false, null]);
    Deno.writeTextFileSync(`${dir}/exit.json`, "{not json");
    assertEquals([readExitFile(dir), hasExitFile(dir)], [null, true]);
    writeStopRequest(dir, { code: "E_TIMEOUT", error: "took too long" });
    assertEquals(readStopRequest(dir), { code: "E_TIMEOUT", error: "took too long" });
    Deno.writeTextFileSync(`${dir}/cancel.json`, "{not json");
    assertEquals(readStopRequest(dir), { code: "E_CANCELED", error: "canceled by `barn kill`" });
  } finally {
    await cleanupHome(dir);
  }
});

Deno.test("job dir: a job ever started once its lock or a log exists", async () => {
  const dir = tempHome("jobdir");
  try {
    assertEquals(everStarted(dir), false);
    Deno.writeTextFileSync(`${dir}/stderr.log`, "");
    assertEquals(everStarted(dir), true);
  } finally {
    await cleanupHome(dir);
  }
});

const ended = (n: number): ExitFile => ({
  job_id: "j1",
  finished_at: "2026-11-30T12:00:00.000Z",
  process_exit_code: n,
  signal: null,
});

Deno.test("job dir: exit.json through the lock is the held lock file, whole", async () => {
  const dir = tempHome("jobdir");
  try {
    const lock = tryLockJob(dir)!;
    assertEquals(writeExitFileThroughLock(lock, dir, ended(3)), true);
    assertEquals(readExitFile(dir), ended(3));
    // No file of its own: a second name of the lock file, which is still held.
    assertEquals(
      Deno.lstatSync(`${dir}/exit.json`).ino,
      Deno.lstatSync(`${dir}/supervisor.lock`).ino,
    );
    assertEquals(tryLockJob(dir), null);
    lock.close();
  } finally {
    await cleanupHome(dir);
  }
});

Deno.test("job dir: exit.json through the lock replaces what is in its way, never writes through it", async () => {
  const dir = tempHome("jobdir");
  try {
    // A lock file that holds a longer, older record: the new one replaces all of it.
    Deno.writeTextFileSync(`${dir}/supervisor.lock`, "x".repeat(500));
    let lock = tryLockJob(dir)!;
    assertEquals(writeExitFileThroughLock(lock, dir, ended(1)), true);
    lock.close();
    assertEquals(readExitFile(dir), ended(1));

    // An exit.json already there, as a link to another file: replaced, the other file untouched.
    Deno.removeSync(`${dir}/exit.json`);
    Deno.writeTextFileSync(`${dir}/other`, "keep");
    Deno.symlinkSync(`${dir}/other`, `${dir}/exit.json`);
    lock = tryLockJob(dir)!;
    assertEquals(writeExitFileThroughLock(lock, dir, ended(2)), true);
    lock.close();
    assertEquals(readExitFile(dir), ended(2));
    assertEquals(Deno.lstatSync(`${dir}/exit.json`).isSymlink, false);
    assertEquals(Deno.readTextFileSync(`${dir}/other`), "keep");

    // The lock file swapped for another after it was taken: exit.json is still this record.
    Deno.removeSync(`${dir}/exit.json`);
    lock = tryLockJob(dir)!;
    Deno.renameSync(`${dir}/other`, `${dir}/supervisor.lock`);
    assertEquals(writeExitFileThroughLock(lock, dir, ended(3)), true);
    lock.close();
    assertEquals(readExitFile(dir), ended(3));
    assertEquals(Deno.readTextFileSync(`${dir}/supervisor.lock`), "keep");
  } finally {
    await cleanupHome(dir);
  }
});

Deno.test("job dir: exit.json through the lock never writes into a file the lock shares with another name", async () => {
  const dir = tempHome("jobdir");
  try {
    // A user's file planted as the lock under a hard link (the lock only ever flocked it before).
    Deno.writeTextFileSync(`${dir}/user.mp4`, "user data");
    Deno.linkSync(`${dir}/user.mp4`, `${dir}/supervisor.lock`);
    const lock = tryLockJob(dir)!;
    assertEquals(writeExitFileThroughLock(lock, dir, ended(4)), true);
    lock.close();
    assertEquals(readExitFile(dir), ended(4));
    assertEquals(Deno.readTextFileSync(`${dir}/user.mp4`), "user data");
    assert(Deno.lstatSync(`${dir}/exit.json`).ino !== Deno.lstatSync(`${dir}/user.mp4`).ino);
  } finally {
    await cleanupHome(dir);
  }
});

Deno.test("job dir: a removal leaves the id's name first, and finishes one cut short before", async () => {
  const home = tempHome("jobdir");
  try {
    const dir = `${home}/aaaaaaaaaaaa`;
    Deno.mkdirSync(dir);
    Deno.writeTextFileSync(`${dir}/exit.json`, "{}");
    // What a removal cut short leaves: the renamed dir, part-emptied.
    Deno.mkdirSync(`${dir}${REMOVING_SUFFIX}`);
    Deno.writeTextFileSync(`${dir}${REMOVING_SUFFIX}/stdout.log`, "x");
    removeJobDir(dir);
    assertEquals([...Deno.readDirSync(home)], []);
    removeJobDir(dir); // already gone: fine
  } finally {
    await cleanupHome(home);
  }
});

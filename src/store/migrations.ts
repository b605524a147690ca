/** Schema migrations, applied in order and tracked by PRAGMA user_version. */

export const MIGRATIONS: readonly string[] = [
  // 1: jobs, their state-change events, and ids handed out
  `CREATE TABLE jobs (
     job_id TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     tag TEXT,
     command TEXT NOT NULL,
     cwd TEXT NOT NULL,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT,
     exit_code TEXT,
     process_exit_code INTEGER,
     signal TEXT,
     error TEXT,
     pid INTEGER,
     heartbeat TEXT,
     supervisor TEXT,
     log_truncated INTEGER NOT NULL DEFAULT 0,
     key TEXT UNIQUE,
     retry_of TEXT,
     latch TEXT,
     timeout_seconds REAL,
     progress TEXT
   );
   CREATE INDEX jobs_created ON jobs (created_at);
   CREATE INDEX jobs_state_created ON jobs (state, created_at);
   CREATE INDEX jobs_tag_created ON jobs (tag, created_at);
   CREATE INDEX jobs_latch ON jobs (latch) WHERE latch IS NOT NULL;
   CREATE TABLE events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id TEXT NOT NULL,
     state TEXT NOT NULL,
     at TEXT NOT NULL
   );
   CREATE INDEX events_job ON events (job_id);`,
  // 2: media options
  `ALTER TABLE jobs ADD COLUMN stall_timeout_seconds REAL;
   ALTER TABLE jobs ADD COLUMN verify INTEGER NOT NULL DEFAULT 0;`,
  // 3: the supervisor's pid, so an orphan's parent can be checked before it is signalled
  `ALTER TABLE jobs ADD COLUMN supervisor_pid INTEGER;`,
  // 4: the store's epoch, random per DB file: a rebuilt DB restarts `seq`, and listen clients
  // tell the two histories apart by it
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(8))));`,
  // 5: pipelines (issue 16): a job's name, queue group, dependencies and metadata. "group" and
  // "after" are SQL words, so they are always quoted. job_deps holds the dependencies not yet
  // met, for the lookup "who waits for this job" when it ends. Existing jobs get the group
  // their command has by default (jobs/groups.ts DEFAULT_GROUP_OF).
  `ALTER TABLE jobs ADD COLUMN name TEXT;
   ALTER TABLE jobs ADD COLUMN "group" TEXT NOT NULL DEFAULT 'default';
   ALTER TABLE jobs ADD COLUMN "after" TEXT;
   ALTER TABLE jobs ADD COLUMN waiting_for TEXT;
   ALTER TABLE jobs ADD COLUMN meta TEXT;
   UPDATE jobs SET "group" = CASE
     WHEN json_extract(command, '$[0]') = 'ffmpeg' THEN 'transcode'
     WHEN json_extract(command, '$[0]') = 'ffprobe' THEN 'probe'
     WHEN json_extract(command, '$[0]') = 'curl' THEN 'transfer'
     WHEN json_extract(command, '$[0]') = 'barn'
       AND json_extract(command, '$[1]') IN ('get', 'put') THEN 'transfer'
     ELSE 'default' END;
   CREATE TABLE job_deps (
     job_id TEXT NOT NULL,
     after_id TEXT NOT NULL,
     PRIMARY KEY (job_id, after_id)
   ) WITHOUT ROWID;
   CREATE INDEX job_deps_after ON job_deps (after_id);
   CREATE UNIQUE INDEX jobs_name_unfinished ON jobs (name)
     WHERE name IS NOT NULL AND state IN ('queued', 'running');
   CREATE INDEX jobs_name ON jobs (name, created_at) WHERE name IS NOT NULL;
   CREATE INDEX jobs_ready ON jobs ("group", created_at)
     WHERE state = 'queued' AND latch IS NULL AND waiting_for IS NULL;`,
  // 6: completion webhooks: each job's URLs, and the outbox, written in the transaction that
  // ends the job; delivery attempts live here, apart from the state events listen streams
  `ALTER TABLE jobs ADD COLUMN notify_urls TEXT;
   CREATE TABLE notifications (
     delivery_id TEXT PRIMARY KEY,
     job_id TEXT NOT NULL,
     url TEXT NOT NULL,
     body TEXT NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     next_attempt_at TEXT NOT NULL,
     last_attempt_at TEXT,
     last_status INTEGER,
     last_error TEXT,
     delivered_at TEXT
   );
   CREATE INDEX notifications_job ON notifications (job_id);
   CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending';`,
  // 7: a finished job's listing text (record_text.ts listingBlob), so a JSON listing copies it
  // instead of building it. NULL is always safe: a listing builds what has none. The trigger
  // clears a text an UPDATE leaves in place (every write that keeps one sets a new one), so a
  // write path that forgets it costs speed, never a stale record; on a row without a text its
  // WHEN is false at once.
  `ALTER TABLE jobs ADD COLUMN listing BLOB;
   CREATE TRIGGER jobs_listing_stale AFTER UPDATE ON jobs
     WHEN OLD.listing IS NOT NULL AND NEW.listing IS OLD.listing
     BEGIN UPDATE jobs SET listing = NULL WHERE rowid = NEW.rowid; END;`,
];

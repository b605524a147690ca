/** The service's log: stderr plus a rotating file in BARN_HOME, through LogTape. */

import { configure, getConsoleSink, getLogger, type Logger } from "@logtape/logtape";
import { getRotatingFileSink } from "@logtape/file";
import { openPrivateAppend } from "../platform/files.ts";

export async function setupLogging(file: string): Promise<Logger> {
  // Create it private first; the 0700 logs/ dir also guards rotated files.
  openPrivateAppend(file).close();
  await configure({
    reset: true,
    sinks: {
      console: getConsoleSink(),
      file: getRotatingFileSink(file, { maxSize: 10 * 1024 * 1024, maxFiles: 5, bufferSize: 0 }),
    },
    loggers: [
      { category: ["barn"], sinks: ["console", "file"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: ["console"], lowestLevel: "warning" },
    ],
  });
  return getLogger(["barn", "service"]);
}

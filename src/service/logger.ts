/** The service's log: stderr plus a rotating file in BARN_HOME, through LogTape. */

import { configure, getConsoleSink, getLogger, type Logger } from "@logtape/logtape";
import { getRotatingFileSink } from "@logtape/file";

export async function setupLogging(file: string): Promise<Logger> {
  await configure({
    reset: true,
    sinks: {
      console: getConsoleSink(),
      file: getRotatingFileSink(file, { maxSize: 10 * 1024 * 1024, maxFiles: 5 }),
    },
    loggers: [
      { category: ["barn"], sinks: ["console", "file"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: ["console"], lowestLevel: "warning" },
    ],
  });
  return getLogger(["barn", "service"]);
}

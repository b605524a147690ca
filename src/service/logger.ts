/** The service's log: stderr plus a rotating file in BARN_HOME, through LogTape. */

import {
  configure,
  getConsoleSink,
  getLogger,
  getTextFormatter,
  type Logger,
  type LogRecord,
  type Sink,
} from "@logtape/logtape";
import { openPrivateAppend, writeAllSync } from "../platform/files.ts";

const MAX_SIZE = 10 * 1024 * 1024;
/** service.log plus service.log.1 … service.log.4. */
const MAX_FILES = 5;

/**
 * A size-rotated file sink on Deno's own file API. It replaces @logtape/file, whose node:fs
 * import alone costs the idle service ~6 MB (docs/performance.md). Each record is written
 * whole and unbuffered, so a crash loses nothing that was logged.
 */
export function rotatingFileSink(path: string, maxSize = MAX_SIZE, maxFiles = MAX_FILES): Sink {
  const format = getTextFormatter();
  const enc = new TextEncoder();
  let file = openPrivateAppend(path);
  let size = file.statSync().size;
  const rotate = () => {
    file.close();
    for (let i = maxFiles - 1; i >= 1; i--) {
      try {
        Deno.renameSync(i === 1 ? path : `${path}.${i - 1}`, `${path}.${i}`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    file = openPrivateAppend(path);
    size = 0;
  };
  return (record: LogRecord) => {
    const bytes = enc.encode(format(record));
    if (size > 0 && size + bytes.length > maxSize) rotate();
    writeAllSync(file, bytes);
    size += bytes.length;
  };
}

/** A log that takes finished sentences: braces in them are text, never template placeholders. */
export interface ServiceLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function plainLog(logger: Logger): ServiceLog {
  const esc = (m: string) => m.replaceAll("{", "{{").replaceAll("}", "}}");
  return {
    info: (m) => logger.info(esc(m)),
    warn: (m) => logger.warn(esc(m)),
    error: (m) => logger.error(esc(m)),
  };
}

export async function setupLogging(file: string): Promise<ServiceLog> {
  await configure({
    reset: true,
    sinks: { console: getConsoleSink(), file: rotatingFileSink(file) },
    loggers: [
      { category: ["barn"], sinks: ["console", "file"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: ["console"], lowestLevel: "warning" },
    ],
  });
  return plainLog(getLogger(["barn", "service"]));
}

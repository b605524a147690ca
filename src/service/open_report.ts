/** What opening barn.db at start found (a first start, a rebuild, settled dependencies and submissions), in the service's log. */

import type { OpenReport } from "../store/recovery.ts";

export function logOpenReport(
  opened: OpenReport,
  home: string,
  logger: { warn(m: string): void; error(m: string): void },
): void {
  if (opened.fresh) {
    logger.warn(
      `no barn.db in ${home}: a first start, or the home was emptied (a reboot clears /tmp); starting with no jobs`,
    );
  }
  if (opened.rebuilt) {
    const { reason, movedTo, report: r } = opened.rebuilt;
    logger.error(
      `${reason}: ${movedTo ? `moved it to ${movedTo}; ` : ""}rebuilt ${r.restored} jobs from ` +
        `the job dirs (${r.finished} finished, ${r.running} still running, ${r.interrupted} ` +
        `interrupted, ${r.held} held on the 'rebuild' latch); ` +
        (r.conflicts.length
          ? `${r.conflicts.length} not restored: ${r.conflicts.slice(0, 20).join("; ")}`
          : "no conflicts"),
    );
  }
  if (opened.dependencies > 0) {
    logger.warn(
      `settled ${opened.dependencies} dependencies whose jobs had ended (or were gone) unseen`,
    );
  }
  const { committed, dropped } = opened.settled;
  if (committed + dropped > 0) {
    logger.warn(
      `settled submissions a crash interrupted: ${committed} committed, ${dropped} never ` +
        "committed (their dirs removed)",
    );
  }
}

/**
 * A daemon's last words: the reason an uncaught error ends the process goes to its log first. A
 * detached service or keeper has no stderr anyone reads, and a crash without a reason can't be
 * fixed. The process still ends (nothing is prevented): its state after such an error is unknown.
 */
export function logCrashes(log: (message: string) => void): void {
  const reason = (e: unknown) => e instanceof Error ? (e.stack ?? e.message) : String(e);
  globalThis.addEventListener("unhandledrejection", (e) => {
    log(`exiting: an unhandled error (a bug in barn; please report it): ${reason(e.reason)}`);
  });
  globalThis.addEventListener("error", (e) => {
    log(`exiting: an uncaught error (a bug in barn; please report it): ${reason(e.error)}`);
  });
}

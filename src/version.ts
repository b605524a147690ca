/** barn's version and build commit; the compile task stamps BUILD_COMMIT. */

export const VERSION = "0.1.0";
export const BUILD_COMMIT = "dev";

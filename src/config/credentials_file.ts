/** BARN_HOME/credentials.json (0600): WebDAV logins by host and the webhook secret; barn never quotes it. */

import { parseJsonOr } from "../escape.ts";
import { BarnError } from "../errors.ts";

/** The file's JSON; a syntax error names the place only, since the text holds secrets. */
export function parseCredentialsJson(text: string, path: string): unknown {
  return parseJsonOr(text, (place) =>
    new BarnError(
      "E_CONFIG",
      `${path} is not valid JSON (${
        place || "cannot parse it"
      }); it holds secrets, so barn does not quote it`,
    ));
}

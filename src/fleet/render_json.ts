/** barn-fleet's JSON: the array of per-host results, as they are. */

import type { FleetView } from "./view.ts";

export function renderFleetJson(v: FleetView): string {
  return JSON.stringify(v.results, null, 2);
}

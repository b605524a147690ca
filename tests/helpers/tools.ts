/** Whether a Debian tool a test needs is installed; under CI=true its absence fails, never skips. */

export function haveTool(name: string, pkg = name): boolean {
  const path = (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":").find((dir) => {
    try {
      return Deno.statSync(`${dir}/${name}`).isFile;
    } catch {
      return false;
    }
  });
  if (path !== undefined) return true;
  if (Deno.env.get("CI") === "true") {
    throw new Error(`${name} is missing: install ${pkg} (install/dev.sh deps)`);
  }
  return false;
}

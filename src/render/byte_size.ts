/** A byte count for people, in decimal units (KB, as `df -H`) or binary ones (KiB, as `df -h`) (pure). */

const UNITS = {
  1000: ["B", "KB", "MB", "GB", "TB"],
  1024: ["B", "KiB", "MiB", "GiB", "TiB"],
} as const;

export function byteSize(n: number, base: 1000 | 1024): string {
  const units = UNITS[base];
  let i = 0;
  while (n >= base && i < units.length - 1) {
    n /= base;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

// Seconds and byte sizes written the way vassal files write them.

// 10 -> "10s", 90 -> "90s", 0.5 -> "500ms"
export function seconds(value: number): string {
  return Number.isInteger(value) ? `${value}s` : `${Math.round(value * 1000)}ms`;
}

// 52428800 -> "50MB" (units of 1024, as supervisord and PM2 count them); sizes that are no whole unit stay bytes
export function byteSize(bytes: number): string | number {
  for (const [unit, size] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes;
}

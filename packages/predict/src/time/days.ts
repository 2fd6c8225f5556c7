const dayMs = 86_400_000;

/** Days from `from` to `to` (ISO times or dates), fractional; negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / dayMs;
}

/** The ISO time `days` after `at`. */
export function addDays(at: string, days: number): string {
  return new Date(Date.parse(at) + days * dayMs).toISOString();
}

/** The earlier of two ISO times (null ones ignored). */
export function earliest(...times: readonly (string | null | undefined)[]): string | null {
  let best: string | null = null;
  for (const time of times) {
    if (time && (best === null || Date.parse(time) < Date.parse(best))) best = time;
  }
  return best;
}

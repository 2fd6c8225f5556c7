/**
 * A one-line progress bar on a terminal: share of the file read, rows and rows per second.
 * Draws at most ten times a second; does nothing when the stream is not a terminal.
 *
 * @example
 * const bar = createProgressBar(process.stderr);
 * bar.update(1200, { bytes: 5000, total: 20000 });
 * bar.done();
 */
export interface ProgressBar {
  update(rows: number, progress: { readonly bytes: number; readonly total: number }): void;
  done(): void;
}

/** Makes a {@link ProgressBar} on a stream (usually stderr). */
export function createProgressBar(
  stream: NodeJS.WriteStream,
  now: () => number = () => performance.now(),
): ProgressBar {
  if (!stream.isTTY) return { update() {}, done() {} };
  const started = now();
  let drawn = 0;
  let drewSomething = false;
  const width = 24;
  return {
    update(rows, { bytes, total }) {
      const time = now();
      if (time - drawn < 100) return;
      drawn = time;
      drewSomething = true;
      const share = total > 0 ? Math.min(1, bytes / total) : 0;
      const filled = Math.round(share * width);
      const rate = rows / Math.max(0.001, (time - started) / 1000);
      stream.write(
        `\r${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${(share * 100).toFixed(0).padStart(3)}%  ${rows.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} rows/s `,
      );
    },
    done() {
      if (drewSomething) stream.write('\r\x1b[2K');
    },
  };
}

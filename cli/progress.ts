import cliProgress from 'cli-progress';
import type { CliWriter } from './context.ts';

/** A progress reporter: a bar on stderr only when stderr is a terminal, silent otherwise. */
export interface Progress {
  start(total: number, label: string): void;
  update(done: number): void;
  stop(): void;
}

/**
 * A bar on `stream` (a command's io.stderr) when it is a terminal, else a reporter that does
 * nothing. A writer that says isTTY must be a terminal stream (cli-progress moves the cursor).
 */
export function createProgress(safeStream: CliWriter): Progress {
  // The bar draws with ESC sequences: on the stream under main()'s terminal-safe wrapper.
  const stream = (safeStream as { raw?: CliWriter }).raw ?? safeStream;
  if (!stream.isTTY) {
    return { start() {}, update() {}, stop() {} };
  }
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(total, label) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta}s`,
          stream: stream as NodeJS.WritableStream,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

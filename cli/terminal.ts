/**
 * What the CLI prints is safe for a terminal: data (district names, categories, ids, values
 * quoted in error messages) can hold control characters, and an ESC sequence in a category can
 * recolour, retitle or rewrite the user's terminal. Every write to stdout and stderr goes
 * through `cleanForTerminal` (main() wraps both writers with `terminalSafe`), so no command has
 * to remember it.
 *
 * Rule: C0 controls except tab and line feed (so ESC, CR, BEL, backspace...), DEL, the C1
 * controls U+0080-U+009F (single-byte CSI U+009B among them) and the bidirectional overrides
 * (U+202A-U+202E, U+2066-U+2069) are written as the visible text `\uXXXX`. That keeps JSON output
 * valid (it is a JSON escape) and shows the user what the data held. The progress bar, the only
 * writer that means to send ESC sequences, draws on the unwrapped stream (`raw`).
 */
import type { CliWriter } from './context.ts';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every unsafe character written as `\uXXXX` (see above). O(length). */
export function cleanForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A writer that cleans every string written to `w`; `raw` is `w` itself (for the progress bar). */
export interface SafeWriter extends CliWriter {
  readonly raw: CliWriter;
}

/** Wraps `w` so that every string written is cleaned (idempotent: a SafeWriter is returned as is). */
export function terminalSafe(w: CliWriter): SafeWriter {
  if ((w as Partial<SafeWriter>).raw !== undefined) return w as SafeWriter;
  return {
    write: (text: string) => w.write(typeof text === 'string' ? cleanForTerminal(text) : text),
    get isTTY() {
      return w.isTTY;
    },
    get columns() {
      return w.columns;
    },
    raw: w,
  };
}

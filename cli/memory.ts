/**
 * Running out of memory, said in one line instead of a V8 abort: a check of the heap while the
 * incident files are read (cli/io.ts readIncidents), and the wording of an allocation failure
 * caught later (cli/main.ts).
 *
 * V8 aborts the process ("FATAL ERROR: Reached heap limit") when the live heap reaches its limit;
 * nothing can catch that. Reading is where the heap grows with the data (about 230 bytes an
 * accepted incident), so the reader checks the heap after each chunk (1 MB of text) and stops
 * with E_OUT_OF_MEMORY once it is past MEMORY_STOP_FRACTION of the limit: before the abort, with
 * the rows read so far and what to do.
 */
import { getHeapStatistics } from 'node:v8';
import { CliError } from './errors.ts';

/** Share of the heap limit at which reading stops (the fit needs about as much again per incident as reading). */
export const MEMORY_STOP_FRACTION = 0.85;

/** The heap in use and its limit, in bytes. */
export interface HeapUse {
  readonly usedBytes: number;
  readonly limitBytes: number;
}

/** Checks the heap while a file is read; `check` throws CliError E_OUT_OF_MEMORY when it is nearly full. */
export interface MemoryGuard {
  check(file: string, rowsRead: number): void;
}

const MB = 2 ** 20;

/** What to do, with the heap limit to ask for (twice the current one, rounded up to 1 GB). */
function advice(limitBytes: number): string {
  const suggestMB = Math.ceil((2 * limitBytes) / (1024 * MB)) * 1024;
  return `give Node more memory (e.g. NODE_OPTIONS=--max-old-space-size=${suggestMB}) or read fewer rows (fewer files, or a shorter period)`;
}

/**
 * The guard the commands use. The limit is V8's heap limit, or PATROLCAST_HEAP_LIMIT_MB from the
 * environment when that is lower (tests set a small one; users may stop earlier on a shared machine).
 * @param heapUse where the numbers come from (default: node:v8 getHeapStatistics)
 */
export function memoryGuard(env: Readonly<Record<string, string | undefined>> = {}, heapUse: () => HeapUse = v8HeapUse): MemoryGuard {
  const capMB = Number(env.PATROLCAST_HEAP_LIMIT_MB);
  const cap = Number.isFinite(capMB) && capMB > 0 ? capMB * MB : Infinity;
  return {
    check(file, rowsRead) {
      const { usedBytes, limitBytes: v8Limit } = heapUse();
      const limitBytes = Math.min(v8Limit, cap);
      if (usedBytes <= MEMORY_STOP_FRACTION * limitBytes) return;
      throw new CliError(
        `out of memory while reading ${file}: stopped after ${rowsRead.toLocaleString('en-US')} rows, with ${(usedBytes / MB).toFixed(0)} MB of the ${(limitBytes / MB).toFixed(0)} MB heap in use; ${advice(limitBytes)}`,
        'E_OUT_OF_MEMORY',
      );
    },
  };
}

function v8HeapUse(): HeapUse {
  const s = getHeapStatistics();
  return { usedBytes: s.used_heap_size, limitBytes: s.heap_size_limit };
}

/** Data lines in a chunk of text (its newlines). O(length). */
function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The chunks of a file, checking the heap before each one is handed on; the rows read are the
 * lines passed so far less the header (a quoted newline counts as a row: the count is what the
 * message says, not what the readers accept).
 * @throws CliError E_OUT_OF_MEMORY (from the guard)
 */
export async function* guardedChunks(chunks: AsyncIterable<string>, file: string, guard: MemoryGuard): AsyncGenerator<string> {
  let lines = 0;
  for await (const chunk of chunks) {
    guard.check(file, Math.max(0, lines - 1));
    lines += newlines(chunk);
    yield chunk;
  }
}

/**
 * An allocation failure that reached the top (a typed array or an array too large for the
 * heap) as one line, or null when the error is something else.
 */
export function outOfMemoryMessage(err: unknown): string | null {
  if (!(err instanceof RangeError)) return null;
  if (!/Array buffer allocation failed|Invalid (typed )?array length|Invalid string length/i.test(err.message)) return null;
  const limitBytes = getHeapStatistics().heap_size_limit;
  return `out of memory (${err.message}) with a ${(limitBytes / MB).toFixed(0)} MB heap: ${advice(limitBytes)}`;
}

/**
 * The JSON files the commands read and write: fits (`fit`, `forecast --fit-in`, `--fit-out`) and
 * model configurations (`tune --out`, `--config`, `tune --base`).
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkEtasConfig, readEtasFit } from '../engine/index.ts';
import type { EtasConfig, EtasFit } from '../engine/index.ts';
import { CliError } from './errors.ts';

/** Writes the text to a path (the temporary file, in {@link writeFileAtomic}); tests inject a failing one. */
export type TextWriter = (path: string, text: string) => Promise<void>;

const plainWriter: TextWriter = (path, text) => writeFile(path, text, { flag: 'wx' });

/**
 * Writes a whole output file or nothing: the text goes to a temporary file in the same folder
 * (`.<name>.<random>.tmp`), renamed over `path` once complete, so a failed write (disk full, a
 * directory in the way, a crash) leaves the old file intact and no partial or temporary file.
 * Every file the commands write goes through here.
 * @param flag the option that named the file, for the message (e.g. `--out`)
 * @throws CliError E_WRITE `<flag>: cannot write <path>: <reason>`
 */
export async function writeFileAtomic(flag: string, path: string, text: string, writer: TextWriter = plainWriter): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writer(temp, text);
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined); // absent when the write never began
    throw new CliError(`${flag}: cannot write ${path}: ${(err as Error).message}`, 'E_WRITE');
  }
}

/** The real path of a file, or of its folder joined with its name when it does not exist (yet); the resolved path when neither does. */
function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * Refuses, before anything is read, an output that would overwrite one of the command's input
 * files (`fit data.csv --out data.csv`) or another output, comparing real paths (symbolic links
 * and `./` resolved). Cost O(outputs × inputs) path look-ups.
 * @param outputs each output option and its path (undefined: not given)
 * @param inputs every file the command reads (data files, --config, --fit-in, --area, ...)
 * @throws CliError E_OUTPUT_IS_INPUT naming the option and the file
 */
export function refuseOverwritingInputs(
  outputs: Readonly<Record<string, string | undefined>>,
  inputs: readonly (string | undefined)[],
): void {
  const read = new Map<string, string>();
  for (const p of inputs) if (p !== undefined) read.set(realPathOf(p), p);
  const written = new Map<string, string>();
  for (const [flag, p] of Object.entries(outputs)) {
    if (p === undefined) continue;
    const real = realPathOf(p);
    const input = read.get(real);
    if (input !== undefined) {
      throw new CliError(
        `${flag} ${p} is an input of this command (${input}): refusing to overwrite it; write to another file`,
        'E_OUTPUT_IS_INPUT',
      );
    }
    const other = written.get(real);
    if (other !== undefined)
      throw new CliError(`${flag} ${p} is also written by ${other}: give each output its own file`, 'E_OUTPUT_IS_INPUT');
    written.set(real, flag);
  }
}

/** Writes a fit as JSON, atomically. @throws CliError E_WRITE naming the option and the file */
export async function writeFitFile(flag: string, path: string, fit: EtasFit): Promise<void> {
  await writeFileAtomic(flag, path, `${JSON.stringify(fit, null, 1)}\n`);
}

/**
 * Reads and checks a saved fit: the current kind, or either kind the previous release wrote
 * ('etas-2015', 'etas-plus', converted by the engine's readEtasFit).
 * @throws CliError naming the file and the bad field
 */
export async function readFitFile(path: string): Promise<EtasFit> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CliError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'E_READ');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path}: not valid JSON (${(err as Error).message})`, 'E_NOT_JSON');
  }
  try {
    return readEtasFit(json);
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`, 'E_FIT');
  }
}

/** Reads and parses a JSON file; `what` names it in the error ("configuration", "fit", "grid"). @throws CliError E_READ, E_NOT_JSON */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CliError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'E_READ');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path}: not valid JSON (${(err as Error).message})`, 'E_NOT_JSON');
  }
}

/**
 * Reads and checks a model configuration file (written by `patrolcast tune`, or by hand).
 * @throws CliError naming the file and the bad field
 */
export async function readConfigFile(path: string): Promise<EtasConfig> {
  const json = await readJsonFile(path, 'configuration');
  try {
    return checkEtasConfig(json);
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`, 'E_CONFIG');
  }
}

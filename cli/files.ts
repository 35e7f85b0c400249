/**
 * The JSON files the commands read and write: fits of either model (`fit`, `forecast --fit-in`,
 * `--fit-out`) and etas configurations (`tune --out`, `--config`, `tune --base`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { checkFitForForecast, checkPlusConfig, checkPlusFitForForecast } from '../engine/index.ts';
import type { EtasFit, EtasPlusFit, PlusConfig } from '../engine/index.ts';
import { CliError } from './errors.ts';

/** Writes a fit as JSON. @throws CliError naming the file */
export async function writeFitFile(path: string, fit: EtasFit): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(fit, null, 1)}\n`);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`, 'E_WRITE');
  }
}

/** Reads and checks a fit JSON file. @throws CliError naming the file and the bad field */
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
    return checkFitForForecast(json);
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
 * Reads and checks an "etas" configuration file (written by `patrolcast tune`, or by hand).
 * @throws CliError naming the file and the bad field
 */
export async function readPlusConfigFile(path: string): Promise<PlusConfig> {
  const json = await readJsonFile(path, 'configuration');
  try {
    return checkPlusConfig(json);
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`, 'E_CONFIG');
  }
}

/** Writes an etas fit as JSON. @throws CliError naming the file */
export async function writePlusFitFile(path: string, fit: EtasPlusFit): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(fit, null, 1)}\n`);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`, 'E_WRITE');
  }
}

/**
 * Reads a saved fit of either model: kind "etas-plus" (checked here) or "etas-2015" (checked by
 * `read2015`, the fit command's reader). @throws CliError naming the file and the bad field
 */
export async function readAnyFitFile(
  path: string,
  read2015: (path: string) => Promise<EtasFit>,
): Promise<{ kind: 'etas-plus'; fit: EtasPlusFit } | { kind: 'etas-2015'; fit: EtasFit }> {
  const json = await readJsonFile(path, 'fit');
  if (json !== null && typeof json === 'object' && (json as { kind?: unknown }).kind === 'etas-plus') {
    try {
      return { kind: 'etas-plus', fit: checkPlusFitForForecast(json) };
    } catch (err) {
      throw new CliError(`${path}: ${(err as Error).message}`, 'E_FIT');
    }
  }
  return { kind: 'etas-2015', fit: await read2015(path) };
}

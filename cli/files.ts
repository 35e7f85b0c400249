/**
 * The JSON files the commands read and write: fits (`fit`, `forecast --fit-in`, `--fit-out`) and
 * model configurations (`tune --out`, `--config`, `tune --base`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { checkEtasConfig, readEtasFit } from '../engine/index.ts';
import type { EtasConfig, EtasFit } from '../engine/index.ts';
import { CliError } from './errors.ts';

/** Writes a fit as JSON. @throws CliError naming the file */
export async function writeFitFile(path: string, fit: EtasFit): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(fit, null, 1)}\n`);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`, 'E_WRITE');
  }
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

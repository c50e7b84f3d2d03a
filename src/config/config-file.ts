import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigFile } from './config.js';

/** Environment variable naming the config file when `--config` is not given. */
export const CONFIG_FILE_ENV = 'PARLEY_CONFIG';

/**
 * Reads a JSON config file: one object whose keys are option names as in docs/configuration.md (`redisUrl`,
 * `maxConnectionsPerIp`...). JSON because it needs no parser dependency and every value is a string or a number.
 * @throws ConfigError when the file cannot be read or is not a JSON object
 */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read config file ${path}: ${(error as Error).message}`]);
  }
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`config file ${path} is not valid JSON: ${(error as Error).message}`]);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigError([`config file ${path} must hold one JSON object of option names and values`]);
  }
  return { path, values: values as Record<string, unknown> };
}

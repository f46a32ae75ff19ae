import os from 'node:os';
import path from 'node:path';
import envPaths from 'env-paths';

export interface ColophonPaths {
  configDir: string;
  dataDir: string;
  config: string;
  token: string;
  daemonInfo: string;
  ledger: string;
  defaultOutputRoot: string;
}

/**
 * Where Colophon keeps its files. COLOPHON_HOME, when set, holds everything (tests always set it);
 * otherwise the platform's config and data dirs are used and outputs go under ~/Colophon.
 */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env): ColophonPaths {
  const home = env.COLOPHON_HOME;
  if (home != null && home !== '') {
    const root = path.resolve(home);
    return layout(root, root, path.join(root, 'output'));
  }
  const p = envPaths('colophon', { suffix: '' });
  return layout(p.config, p.data, path.join(os.homedir(), 'Colophon'));
}

function layout(configDir: string, dataDir: string, defaultOutputRoot: string): ColophonPaths {
  return {
    configDir,
    dataDir,
    config: path.join(configDir, 'config.json'),
    token: path.join(configDir, 'token'),
    daemonInfo: path.join(configDir, 'daemon.json'),
    ledger: path.join(dataDir, 'ledger.jsonl'),
    defaultOutputRoot,
  };
}

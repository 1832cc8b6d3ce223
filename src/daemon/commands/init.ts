/** `introducer init DIR`: the node key and a commented introducer.toml. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Command } from 'commander'
import { describeError } from '../../errors.js'
import { loadOrCreateKey } from '../../store/data-dir.js'
import { CONFIG_FILE, ConfigError, defaultConfigText, validateConfig } from '../config/index.js'
import { EXIT_USAGE } from '../exit-codes.js'
import { ExitError, exists } from './shared.js'

/** Creates DIR's key (if absent) and its introducer.toml; refuses to overwrite the file. */
export async function initDataDir (dir: string, values: { grid?: string, nickname?: string } = {}): Promise<{ path: string, peerId: string }> {
  const path = join(dir, CONFIG_FILE)
  const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined))
  try {
    // what init writes must be a configuration run accepts
    validateConfig(given, 'command line')
  } catch (err) {
    throw new ExitError(describeError(err), err instanceof ConfigError ? EXIT_USAGE : 1)
  }
  if (await exists(path)) {
    throw new ExitError(`${path} exists already: refusing to overwrite it`, EXIT_USAGE)
  }
  await mkdir(dir, { recursive: true })
  const key = await loadOrCreateKey(dir)
  await writeFile(path, defaultConfigText(given), { flag: 'wx' })
  return { path, peerId: peerIdFromPrivateKey(key).toString() }
}

export function initCommand (program: Command): void {
  program.command('init')
    .description(`create a data directory: the node key and a commented ${CONFIG_FILE}`)
    .argument('<dir>', 'data directory to create')
    .option('--grid <id>', 'grid id written into the config')
    .option('--nickname <name>', 'nickname written into the config')
    .action(async (dir: string, opts: { grid?: string, nickname?: string }) => {
      const { path, peerId } = await initDataDir(dir, opts)
      process.stdout.write(`created ${path}\nnode id ${peerId}\n`)
    })
}

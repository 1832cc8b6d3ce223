/** `introducer network-key FILE`: a private network key (libp2p swarm key). */
import { writeFile } from 'node:fs/promises'
import { generateKey } from '@libp2p/pnet'
import type { Command } from 'commander'
import { describeError } from '../../errors.js'
import { EXIT_USAGE } from '../exit-codes.js'
import { ExitError } from './shared.js'

export function networkKeyCommand (program: Command): void {
  program.command('network-key')
    .description('create a private network key (libp2p swarm key): only nodes holding it can connect; set network_key_file')
    .argument('<file>', 'file to create')
    .action(async (file: string) => {
      const key = new Uint8Array(95)
      generateKey(key)
      try {
        await writeFile(file, key, { mode: 0o600, flag: 'wx' })
      } catch (err) {
        throw new ExitError(`cannot create ${file}: ${describeError(err)}`, EXIT_USAGE)
      }
      process.stdout.write(`created ${file}: copy it to every node of the grid\n`)
    })
}

/** `introducer bootstrap add|list`: a node's own bootstrap list, DIR/bootstrap.txt. */
import { appendFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { formatBootstrapList, parseBootstrapList, readBootstrapFile } from '../../bootstrap-file.js'
import { describeError } from '../../errors.js'
import { EXIT_USAGE } from '../exit-codes.js'
import { dataDirOption, DIR_OPTION_HELP, ExitError, exists } from './shared.js'

/** A node's own bootstrap list, read at start when present. */
export const NODE_BOOTSTRAP_FILE = 'bootstrap.txt'

export function bootstrapCommand (program: Command): void {
  const bootstrap = program.command('bootstrap').description(`manage a node's bootstrap list (DIR/${NODE_BOOTSTRAP_FILE})`)
  bootstrap.command('add')
    .description('add bootstrap entries (multiaddrs ending in /p2p/<peer id>)')
    .argument('<multiaddr...>', 'entries to add')
    .option('--dir <dir>', DIR_OPTION_HELP)
    .action(async (entries: string[], opts: { dir?: string }) => {
      const dir = dataDirOption(opts)
      const path = join(dir, NODE_BOOTSTRAP_FILE)
      let valid: string[]
      try {
        valid = parseBootstrapList(entries.join('\n'), 'argument')
      } catch (err) {
        throw new ExitError(describeError(err), EXIT_USAGE)
      }
      const present = await exists(path)
      const held = present ? await readBootstrapFile(path) : []
      const fresh = valid.filter(e => !held.includes(e))
      await mkdir(dir, { recursive: true })
      if (fresh.length > 0 || !present) {
        await appendFile(path, present ? formatBootstrapList(fresh) : formatBootstrapList(fresh, 'bootstrap list: one multiaddr per line'))
      }
      process.stdout.write(`added ${fresh.length} entr${fresh.length === 1 ? 'y' : 'ies'} to ${path}\n`)
    })
  bootstrap.command('list')
    .description('print the bootstrap list')
    .option('--dir <dir>', DIR_OPTION_HELP)
    .option('--json', 'print JSON')
    .action(async (opts: { dir?: string, json?: boolean }) => {
      const path = join(dataDirOption(opts), NODE_BOOTSTRAP_FILE)
      const entries = await exists(path) ? await readBootstrapFile(path) : []
      process.stdout.write(opts.json === true ? JSON.stringify(entries) + '\n' : entries.map(e => `${e}\n`).join(''))
    })
}

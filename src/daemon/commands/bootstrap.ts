/**
 * `introducer bootstrap add|list`: a node's own bootstrap list, DIR/bootstrap.txt. `add`
 * tells a node running in DIR (the holder of DIR/node.lock) to reload with SIGHUP: it
 * dials the new entries at once.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { formatBootstrapList, parseBootstrapList, readBootstrapFile } from '../../bootstrap-file.js'
import { describeError } from '../../errors.js'
import { lockHolder } from '../../store/data-dir-lock.js'
import { EXIT_USAGE } from '../exit-codes.js'
import { NODE_INFO_FILE, type NodeInfoFile } from '../node-info.js'
import { dataDirOption, DIR_OPTION_HELP, ExitError, exists } from './shared.js'

/** A node's own bootstrap list, read at start when present. */
export const NODE_BOOTSTRAP_FILE = 'bootstrap.txt'

/** Sends SIGHUP to the node running in DIR, if one is; returns its pid. */
async function tellRunningNode (dir: string): Promise<number | undefined> {
  const holder = await lockHolder(dir)
  let info: NodeInfoFile | undefined
  try {
    info = JSON.parse(await readFile(join(dir, NODE_INFO_FILE), 'utf8')) as NodeInfoFile
  } catch {}
  // both must name it: a pid alone may belong to another process by now
  if (holder == null || info?.pid !== holder) return undefined
  try {
    process.kill(holder, 'SIGHUP')
    return holder
  } catch {
    return undefined
  }
}

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
      if (fresh.length > 0) {
        const pid = await tellRunningNode(dir)
        process.stdout.write(pid != null
          ? `told the node running in ${dir} (pid ${pid}) to reload (SIGHUP): it dials the new entries now\n`
          : `no node runs in ${dir}: the entries are used when it starts\n`)
      }
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

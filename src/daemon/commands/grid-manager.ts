/** `introducer grid-manager create|sign`: a grid manager's key and the certificates it signs. */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { InvalidArgumentError, type Command } from 'commander'
import { describeCertificate, signCertificate } from '../../announcement/admission.js'
import { describeError } from '../../errors.js'
import { parseList } from '../config/index.js'
import { EXIT_USAGE } from '../exit-codes.js'
import { ExitError, exists } from './shared.js'

/** Where `grid-manager create` keeps the manager's key. */
export const GRID_MANAGER_KEY_FILE = 'grid-manager.key'

function collect (value: string, previous: string[] = []): string[] {
  return [...previous, ...parseList(value)]
}

function days (value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n)) {
    throw new InvalidArgumentError(`--days takes a whole number, not ${JSON.stringify(value)}`)
  }
  return n
}

export function gridManagerCommand (program: Command): void {
  const gridManager = program.command('grid-manager').description('grid admission: a grid manager\'s key and the certificates it signs')
  gridManager.command('create')
    .description(`create a grid manager key in DIR/${GRID_MANAGER_KEY_FILE} (keep it offline); prints its id for admission.grid_managers`)
    .argument('<dir>', 'directory for the key')
    .action(async (dir: string) => {
      const path = join(dir, GRID_MANAGER_KEY_FILE)
      if (await exists(path)) {
        throw new ExitError(`${path} exists already: refusing to overwrite it`, EXIT_USAGE)
      }
      await mkdir(dir, { recursive: true })
      const key = await generateKeyPair('Ed25519')
      await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
      process.stdout.write(`created ${path}\ngrid manager id ${peerIdFromPrivateKey(key).toString()}\n`)
    })
  gridManager.command('sign')
    .description('sign a certificate admitting a node to a grid')
    .argument('<dir>', `directory holding ${GRID_MANAGER_KEY_FILE}`)
    .requiredOption('--grid <id>', 'grid id')
    .requiredOption('--node <peer-id>', 'the node admitted (its id, from `introducer init` or its status)')
    .option('--services <names>', 'services it may announce (comma-separated; default: all)', collect)
    .option('--days <n>', 'days of validity (1 or more)', days, 365)
    .requiredOption('--out <file>', 'certificate file to write (the node\'s certificate_file)')
    .action(async (dir: string, opts: { grid: string, node: string, services?: string[], days: number, out: string }) => {
      let manager
      try {
        manager = privateKeyFromProtobuf(await readFile(join(dir, GRID_MANAGER_KEY_FILE)))
      } catch (err) {
        throw new ExitError(`cannot read the grid manager key in ${dir}: ${describeError(err)}`, EXIT_USAGE)
      }
      if (opts.days < 1) {
        throw new ExitError(`--days must be 1 or more, not ${opts.days}: the certificate would be expired already`, EXIT_USAGE)
      }
      let certificate
      try {
        certificate = await signCertificate(manager, { grid: opts.grid, subject: opts.node, services: opts.services, expiresAtMs: Date.now() + opts.days * 86_400_000 })
      } catch (err) {
        throw new ExitError(describeError(err), EXIT_USAGE)
      }
      await writeFile(opts.out, certificate)
      const c = describeCertificate(certificate)
      process.stdout.write(`wrote ${opts.out}: ${c.subject} admitted to grid ${c.grid} for ${c.services.length > 0 ? c.services.join(', ') : 'all services'} until ${new Date(c.expiresAtMs).toISOString()}\n`)
    })
}

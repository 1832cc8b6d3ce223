/** What the subcommands share: their error type and how they find a data directory. */
import { access } from 'node:fs/promises'
import { resolve } from 'node:path'

/** A failure that ends the command with a message and an exit code (exit-codes.ts). */
export class ExitError extends Error {
  constructor (message: string, readonly exitCode: number) {
    super(message)
  }
}

export async function exists (path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

/** --dir, or $INTRODUCER_DIR, or the current directory. */
export function dataDirOption (opts: { dir?: string }): string {
  return resolve(opts.dir ?? process.env.INTRODUCER_DIR ?? '.')
}

export const DIR_OPTION_HELP = 'data directory (default: $INTRODUCER_DIR or .)'

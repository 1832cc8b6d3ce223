/**
 * Bootstrap lists (the files in bootstrap/): one multiaddr ending in /p2p/<peer id> per
 * line; blank lines and everything after a `#` are ignored.
 */
import { readFile } from 'node:fs/promises'
import { parseBootstrapEntry } from './introduction/bootstrap-entry.js'
import { describeError } from './errors.js'

export class BootstrapFileError extends Error {
  static readonly NAME = 'BootstrapFileError'
  override readonly name = BootstrapFileError.NAME
}

/** Parses the text of a bootstrap list; throws naming the line of a bad entry. */
export function parseBootstrapList (text: string, source = 'bootstrap list'): string[] {
  const entries: string[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    const entry = line.replace(/#.*$/, '').trim()
    if (entry === '') {
      return
    }
    try {
      parseBootstrapEntry(entry)
    } catch (err) {
      throw new BootstrapFileError(`${source}:${i + 1}: ${describeError(err)}`)
    }
    entries.push(entry)
  })
  return entries
}

export async function readBootstrapFile (path: string): Promise<string[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new BootstrapFileError(`${path}: cannot read: ${describeError(err)}`)
  }
  return parseBootstrapList(text, path)
}

/** Formats entries as a bootstrap list file. */
export function formatBootstrapList (entries: string[], comment?: string): string {
  return [...(comment != null ? comment.split('\n').map(l => `# ${l}`) : []), ...entries].join('\n') + '\n'
}

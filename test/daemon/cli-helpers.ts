/** Running `introducer ARGS` to completion, for the daemon's tests. */
import { spawn } from 'node:child_process'
import { BIN, cleanEnv } from '../helpers/processes.js'

export const CLI_TIMEOUT_MS = 30_000

export interface CliResult { code: number | null, stdout: string, stderr: string }

/** Runs `introducer ARGS` to completion (killed after `timeoutMs`: code null). */
export async function cli (args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = CLI_TIMEOUT_MS): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (c) => { resolve(c) })
    })
    return { code, stdout, stderr }
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `introducer ARGS` for each ARGS, a few at a time (each process loads the whole CLI). */
export async function cliAll (runs: Array<{ args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number }>, limit = 3): Promise<CliResult[]> {
  const results: CliResult[] = new Array(runs.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, runs.length) }, async () => {
    while (next < runs.length) {
      const i = next++
      results[i] = await cli(runs[i].args, runs[i].env, runs[i].timeoutMs)
    }
  }))
  return results
}

/**
 * A bench worker process, forked and driven over IPC by bench/run.ts: it hosts one node
 * or several (--nodes-per-process), see worker/host.ts. It never outlives the parent.
 */
import type { WorkerMessage } from './protocol.js'
import { WorkerHost } from './worker/host.js'

function send (msg: WorkerMessage, then?: () => void): void {
  if (process.connected && process.send != null) {
    process.send(msg, undefined, {}, () => { then?.() })
  } else {
    then?.()
  }
}

if (process.send == null) {
  console.error('bench/worker.js is started by bench/run.js (it needs an IPC channel)')
  process.exit(1)
}
const host = new WorkerHost(send, () => { process.exit(0) })
process.on('message', (msg: unknown) => { host.receive(msg) })
process.on('disconnect', () => { process.exit(0) })

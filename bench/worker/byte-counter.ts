/**
 * Counts the bytes this process writes to TCP sockets: every byte libp2p hands to a
 * socket (Noise ciphertext of yamux frames: gossipsub RPCs, identify, ping, sync), not
 * TCP/IP headers, not the IPC channel. Sockets are seen through Node's diagnostics
 * channels as they are created (dialled or accepted); the count is each socket's
 * `bytesWritten`, kept when it closes. Per process: with several nodes in a process it
 * is their sum. Start it before any socket exists.
 */
import { subscribe } from 'node:diagnostics_channel'
import { Socket } from 'node:net'

const CHANNELS = ['net.client.socket', 'net.server.socket']

export class ByteCounter {
  private readonly open = new Set<Socket>()
  private closed = 0
  private started = false

  get sent (): number {
    let total = this.closed
    for (const socket of this.open) {
      total += socket.bytesWritten
    }
    return total
  }

  start (): void {
    if (this.started) {
      return
    }
    this.started = true
    for (const name of CHANNELS) {
      subscribe(name, (message) => {
        const socket = typeof message === 'object' && message != null && 'socket' in message ? message.socket : undefined
        if (socket instanceof Socket) {
          this.track(socket)
        }
      })
    }
  }

  private track (socket: Socket): void {
    this.open.add(socket)
    socket.once('close', () => {
      this.open.delete(socket)
      this.closed += socket.bytesWritten
    })
  }
}

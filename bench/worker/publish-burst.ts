/**
 * The timed part of a burst, shared by both modes: makes record i (ours signs it here,
 * so signing is timed; raw has it ready) and sends it with `send` (ours: the node's
 * publishSigned, which also holds it, as a node carrying many records does; raw:
 * gossipsub's publish on the measured topic), noting which peers gossipsub sent it to
 * (the peers whose outbound stream took it). A record sent to no one was lost at the
 * injector's gossip (ours: sync still hands it on).
 */
import type { NodeResults } from '../protocol.js'
import type { PeerId } from '@libp2p/interface'

export async function publishBurst (send: (data: Uint8Array) => Promise<{ recipients: PeerId[] }>, m: number, record: (i: number) => Promise<Uint8Array>): Promise<NodeResults['burst']> {
  const peers: string[] = []
  const peerIndex = new Map<string, number>()
  const sentTo: number[][] = []
  let bytes = 0
  const t0 = Date.now()
  for (let i = 0; i < m; i++) {
    const data = await record(i)
    bytes += data.byteLength
    const { recipients } = await send(data)
    sentTo.push(recipients.map(id => {
      const key = id.toString()
      let j = peerIndex.get(key)
      if (j == null) {
        j = peers.length
        peers.push(key)
        peerIndex.set(key, j)
      }
      return j
    }))
  }
  return { t0, t1: Date.now(), bytes: bytes / Math.max(1, m), peers, sentTo }
}

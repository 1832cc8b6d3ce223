/**
 * A reference to an object in the far tub, received as a my-reference. Calls go over the
 * broker (connection) it came on; when that connection closes the reference is dead.
 */
import type { BananaValue, RemoteReferenceLike } from './values.js'

/** What a RemoteReference needs of its connection. */
export interface CallSender {
  readonly theirTubId: string
  readonly closed: boolean
  call: (clid: number, method: string, args: ReadonlyMap<string, BananaValue>) => Promise<BananaValue>
  onClose: (listener: () => void) => () => void
}

export class RemoteReference implements RemoteReferenceLike {
  readonly isRemoteReference = true

  constructor (
    private readonly sender: CallSender,
    readonly clid: number,
    readonly interfaceName: string | undefined,
    readonly url: string | undefined
  ) {}

  get remoteTubId (): string {
    return this.sender.theirTubId
  }

  get connected (): boolean {
    return !this.sender.closed
  }

  /** Calls `method` with keyword arguments; rejects with RemoteCallError, DeadReferenceError or CallTimeoutError. */
  async callRemote (method: string, args: Record<string, BananaValue> = {}): Promise<BananaValue> {
    return this.sender.call(this.clid, method, new Map(Object.entries(args)))
  }

  /** Runs `listener` once when the connection is lost; returns a function that cancels it. */
  onDisconnect (listener: () => void): () => void {
    return this.sender.onClose(listener)
  }
}

/**
 * One handler per IPC command (bench/protocol.ts): process commands act on the host,
 * node commands on the addressed node. Arguments arrive already checked against their
 * schema; the type maps tie each handler to its command's args and result.
 */
import type { NodeArgs, NodeCommand, NodeResults, ProcessArgs, ProcessCommand, ProcessResults } from '../protocol.js'
import type { BenchNode } from './bench-node.js'
import type { WorkerHost } from './host.js'

type Reply<T> = T | Promise<T>

export type ProcessHandlers = { [C in ProcessCommand]: (host: WorkerHost, args: ProcessArgs[C]) => Reply<ProcessResults[C]> }
export type NodeHandlers = { [C in NodeCommand]: (node: BenchNode, args: NodeArgs[C]) => Reply<NodeResults[C]> }

export const processHandlers: ProcessHandlers = {
  addNode: async (host, args) => host.addNode(args),
  idleStart: (host) => host.idleStart(),
  idleEnd: (host) => host.idleEnd(),
  resources: (host) => host.resources(),
  trackBurst: (host, args) => host.trackBurst(args),
  stop: async (host) => host.stopAll()
}

export const nodeHandlers: NodeHandlers = {
  dial: async (node, args) => node.dial(args),
  status: (node) => node.status(),
  publish: async (node, args) => node.publish(args),
  prepareBurst: async (node, args) => node.prepareBurst(args),
  burst: async (node) => node.burst(),
  expect: (node, args) => node.expect(args),
  burstHeld: (node) => node.burstHeld(),
  join: async (node, args) => node.join(args),
  leave: async (node) => node.leave(),
  prepareFlood: async (node, args) => node.prepareFlood(args),
  floodStart: (node, args) => {
    node.floodStart(args)
    return null
  },
  floodStop: async (node) => node.floodStop(),
  score: (node, args) => node.score(args)
}

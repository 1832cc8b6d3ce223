/** What a running node tells other processes about itself, in DIR/node.json. */
export const NODE_INFO_FILE = 'node.json'

export interface NodeInfoFile {
  peerId: string
  multiaddrs: string[]
  http: string | null
  pid: number
  grid: string
  roles: string[]
}

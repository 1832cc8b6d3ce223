/**
 * Which host a connection comes from. Per-host limits count by host key: an IPv4 address,
 * or the /64 of an IPv6 address (one machine usually holds a whole /64). IPv4-mapped IPv6
 * addresses count as their IPv4 address.
 */
import { networkInterfaces } from 'node:os'
import { tryGetNetConfig } from '@libp2p/utils'
import { LOCAL_ADDRESSES_REFRESH_MS } from './constants.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The remote IP of a multiaddr, normalised (lower case, no zone, IPv4-mapped unwrapped); undefined when not IP. */
export function remoteIp (ma: Multiaddr): string | undefined {
  const config = tryGetNetConfig(ma)
  if (config?.type === 'ip4') {
    return config.host
  }
  if (config?.type === 'ip6') {
    const host = config.host.toLowerCase().replace(/%.*$/, '')
    const groups = expandIp6(host)
    if (groups.slice(0, 5).every(g => g === '0') && groups[5] === 'ffff') {
      const [hi, lo] = [Number.parseInt(groups[6], 16), Number.parseInt(groups[7], 16)]
      return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
    }
    return host
  }
  return undefined
}

/** The host key of a normalised IP (see `remoteIp`): the address for IPv4, the /64 for IPv6. */
export function hostKey (ip: string): string {
  if (!ip.includes(':')) {
    return ip
  }
  return `${expandIp6(ip).slice(0, 4).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros. */
export function expandIp6 (ip: string): string[] {
  let text = ip
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4 != null) {
    const [a, b, c, d] = v4.slice(1).map(Number)
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.split('::') as [string, string | undefined]
  const left = head === '' ? [] : head.split(':')
  const right = tail == null || tail === '' ? [] : tail.split(':')
  const zeros = tail == null ? [] : new Array<string>(8 - left.length - right.length).fill('0')
  return [...left, ...zeros, ...right].map(g => Number.parseInt(g, 16).toString(16))
}

/**
 * This machine's own addresses (all interfaces, loopback included), read at most every
 * LOCAL_ADDRESSES_REFRESH_MS. A TCP connection whose remote address is one of them comes
 * from a process on this machine: an address cannot be spoofed through a TCP handshake.
 * Note that 127.0.0.2 is not one (only 127.0.0.1 is configured on `lo`), although the
 * kernel lets any local process bind it.
 */
export class LocalAddresses {
  private addresses = new Set<string>()
  private readAt = -Infinity

  constructor (private readonly now: () => number = Date.now, private readonly read: () => string[] = interfaceAddresses) {}

  has (ip: string): boolean {
    if (this.now() - this.readAt >= LOCAL_ADDRESSES_REFRESH_MS) {
      this.addresses = new Set(this.read().map(a => a.toLowerCase().replace(/%.*$/, '')))
      this.readAt = this.now()
    }
    return this.addresses.has(ip)
  }
}

function interfaceAddresses (): string[] {
  return Object.values(networkInterfaces()).flatMap(list => (list ?? []).map(i => i.address))
}

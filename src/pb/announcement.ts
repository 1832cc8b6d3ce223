import { decodeMessage, encodeMessage, MaxLengthError, MaxSizeError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Announcement {
  grid: string
  service: string
  publicKey: Uint8Array<ArrayBuffer>
  seqnum: bigint
  nonce: Uint8Array<ArrayBuffer>
  issuedAtMs: number
  ttlMs: number
  nickname: string
  version: string
  permutationSeed: Uint8Array<ArrayBuffer>
  multiaddrs: Uint8Array<ArrayBuffer>[]
  readonly: boolean
  availableSpace?: number
  fields: Map<string, string>
  withdrawn: boolean
  certificate: Uint8Array<ArrayBuffer>
  tahoe?: TahoeCarriage
}

export namespace Announcement {
  export interface Announcement$fieldsEntry {
    key: string
    value: string
  }

  export namespace Announcement$fieldsEntry {
    let _codec: Codec<Announcement$fieldsEntry>

    export const codec = (): Codec<Announcement$fieldsEntry> => {
      if (_codec == null) {
        _codec = message<Announcement$fieldsEntry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.key != null && obj.key !== '')) {
            w.uint32(10)
            w.string(obj.key)
          }

          if ((obj.value != null && obj.value !== '')) {
            w.uint32(18)
            w.string(obj.value)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            key: '',
            value: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.key = reader.string()
                break
              }
              case 2: {
                obj.value = reader.string()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.key`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.value`,
                  value: reader.string()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface Announcement$fieldsEntryKeyFieldEvent {
      field: '$.key'
      value: string
    }

    export interface Announcement$fieldsEntryValueFieldEvent {
      field: '$.value'
      value: string
    }

    export function encode (obj: Partial<Announcement$fieldsEntry>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Announcement$fieldsEntry.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement$fieldsEntry>): Announcement$fieldsEntry {
      return decodeMessage(buf, Announcement$fieldsEntry.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement$fieldsEntry>): Generator<Announcement$fieldsEntryKeyFieldEvent | Announcement$fieldsEntryValueFieldEvent> {
      return streamMessage(buf, Announcement$fieldsEntry.codec(), opts)
    }
  }

  let _codec: Codec<Announcement>

  export const codec = (): Codec<Announcement> => {
    if (_codec == null) {
      _codec = message<Announcement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.grid != null && obj.grid !== '')) {
          w.uint32(10)
          w.string(obj.grid)
        }

        if ((obj.service != null && obj.service !== '')) {
          w.uint32(18)
          w.string(obj.service)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.publicKey)
        }

        if ((obj.seqnum != null && obj.seqnum !== 0n)) {
          w.uint32(32)
          w.uint64(obj.seqnum)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.nonce)
        }

        if ((obj.issuedAtMs != null && obj.issuedAtMs !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.issuedAtMs)
        }

        if ((obj.ttlMs != null && obj.ttlMs !== 0)) {
          w.uint32(56)
          w.uint32(obj.ttlMs)
        }

        if ((obj.nickname != null && obj.nickname !== '')) {
          w.uint32(66)
          w.string(obj.nickname)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(74)
          w.string(obj.version)
        }

        if ((obj.permutationSeed != null && obj.permutationSeed.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.permutationSeed)
        }

        if (obj.multiaddrs != null && obj.multiaddrs.length > 0) {
          for (const value of obj.multiaddrs) {
            w.uint32(90)
            w.bytes(value)
          }
        }

        if ((obj.readonly != null && obj.readonly !== false)) {
          w.uint32(96)
          w.bool(obj.readonly)
        }

        if (obj.availableSpace != null) {
          w.uint32(104)
          w.uint64Number(obj.availableSpace)
        }

        if (obj.fields != null && obj.fields.size > 0) {
          for (const [key, value] of obj.fields.entries()) {
            w.uint32(114)
            Announcement.Announcement$fieldsEntry.codec().encode({ key, value }, w)
          }
        }

        if ((obj.withdrawn != null && obj.withdrawn !== false)) {
          w.uint32(120)
          w.bool(obj.withdrawn)
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(130)
          w.bytes(obj.certificate)
        }

        if (obj.tahoe != null) {
          w.uint32(138)
          TahoeCarriage.codec().encode(obj.tahoe, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          grid: '',
          service: '',
          publicKey: uint8ArrayAlloc(0),
          seqnum: 0n,
          nonce: uint8ArrayAlloc(0),
          issuedAtMs: 0,
          ttlMs: 0,
          nickname: '',
          version: '',
          permutationSeed: uint8ArrayAlloc(0),
          multiaddrs: [],
          readonly: false,
          fields: new Map<string, string>(),
          withdrawn: false,
          certificate: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.grid = reader.string()
              break
            }
            case 2: {
              obj.service = reader.string()
              break
            }
            case 3: {
              obj.publicKey = reader.bytes()
              break
            }
            case 4: {
              obj.seqnum = reader.uint64()
              break
            }
            case 5: {
              obj.nonce = reader.bytes()
              break
            }
            case 6: {
              obj.issuedAtMs = reader.uint64Number()
              break
            }
            case 7: {
              obj.ttlMs = reader.uint32()
              break
            }
            case 8: {
              obj.nickname = reader.string()
              break
            }
            case 9: {
              obj.version = reader.string()
              break
            }
            case 10: {
              obj.permutationSeed = reader.bytes()
              break
            }
            case 11: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs.length === opts.limits.multiaddrs) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              obj.multiaddrs.push(reader.bytes())
              break
            }
            case 12: {
              obj.readonly = reader.bool()
              break
            }
            case 13: {
              obj.availableSpace = reader.uint64Number()
              break
            }
            case 14: {
              if (opts.limits?.fields != null && obj.fields.size === opts.limits.fields) {
                throw new MaxSizeError('Decode error - map field "fields" had too many elements')
              }

              const entry = Announcement.Announcement$fieldsEntry.codec().decode(reader, reader.uint32(), {
                limits: {
                  value: opts.limits?.fields$value
                }
              })
              obj.fields.set(entry.key, entry.value)
              break
            }
            case 15: {
              obj.withdrawn = reader.bool()
              break
            }
            case 16: {
              obj.certificate = reader.bytes()
              break
            }
            case 17: {
              obj.tahoe = TahoeCarriage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tahoe
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          multiaddrs: 0,
          fields: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.grid`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.service`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.seqnum`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.issuedAtMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.ttlMs`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.nickname`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.permutationSeed`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs === opts.limits.multiaddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              yield {
                field: `${prefix}.multiaddrs[]`,
                index: obj.multiaddrs,
                value: reader.bytes()
              }

              obj.multiaddrs++

              break
            }
            case 12: {
              yield {
                field: `${prefix}.readonly`,
                value: reader.bool()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.availableSpace`,
                value: reader.uint64Number()
              }
              break
            }
            case 14: {
              if (opts.limits?.fields != null && obj.fields === opts.limits.fields) {
                throw new MaxLengthError('Decode error - map field "fields" had too many elements')
              }

              yield * Announcement.Announcement$fieldsEntry.codec().stream(reader, reader.uint32(), `${prefix}.fields{}`, {
                limits: {
                  value: opts.limits?.fields$value
                }
              })

              obj.fields++

              break
            }
            case 15: {
              yield {
                field: `${prefix}.withdrawn`,
                value: reader.bool()
              }
              break
            }
            case 16: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 17: {
              yield * TahoeCarriage.codec().stream(reader, reader.uint32(), `${prefix}.tahoe`, {
                limits: opts.limits?.tahoe
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AnnouncementGridFieldEvent {
    field: '$.grid'
    value: string
  }

  export interface AnnouncementServiceFieldEvent {
    field: '$.service'
    value: string
  }

  export interface AnnouncementPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementSeqnumFieldEvent {
    field: '$.seqnum'
    value: bigint
  }

  export interface AnnouncementNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementIssuedAtMsFieldEvent {
    field: '$.issuedAtMs'
    value: number
  }

  export interface AnnouncementTtlMsFieldEvent {
    field: '$.ttlMs'
    value: number
  }

  export interface AnnouncementNicknameFieldEvent {
    field: '$.nickname'
    value: string
  }

  export interface AnnouncementVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface AnnouncementPermutationSeedFieldEvent {
    field: '$.permutationSeed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementMultiaddrsFieldEvent {
    field: '$.multiaddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementReadonlyFieldEvent {
    field: '$.readonly'
    value: boolean
  }

  export interface AnnouncementAvailableSpaceFieldEvent {
    field: '$.availableSpace'
    value: number
  }

  export interface AnnouncementFieldsFieldEvent {
    field: '$.fields{}'
    key: string
    value: string
  }

  export interface AnnouncementWithdrawnFieldEvent {
    field: '$.withdrawn'
    value: boolean
  }

  export interface AnnouncementCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementTahoeMsgFieldEvent {
    field: '$.tahoe.msg'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementTahoeSigFieldEvent {
    field: '$.tahoe.sig'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementTahoeKeyFieldEvent {
    field: '$.tahoe.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementTahoeGatewayPublicKeyFieldEvent {
    field: '$.tahoe.gatewayPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementTahoeGatewaySignatureFieldEvent {
    field: '$.tahoe.gatewaySignature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Announcement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Announcement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Announcement {
    return decodeMessage(buf, Announcement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Generator<AnnouncementGridFieldEvent | AnnouncementServiceFieldEvent | AnnouncementPublicKeyFieldEvent | AnnouncementSeqnumFieldEvent | AnnouncementNonceFieldEvent | AnnouncementIssuedAtMsFieldEvent | AnnouncementTtlMsFieldEvent | AnnouncementNicknameFieldEvent | AnnouncementVersionFieldEvent | AnnouncementPermutationSeedFieldEvent | AnnouncementMultiaddrsFieldEvent | AnnouncementReadonlyFieldEvent | AnnouncementAvailableSpaceFieldEvent | AnnouncementFieldsFieldEvent | AnnouncementWithdrawnFieldEvent | AnnouncementCertificateFieldEvent | AnnouncementTahoeMsgFieldEvent | AnnouncementTahoeSigFieldEvent | AnnouncementTahoeKeyFieldEvent | AnnouncementTahoeGatewayPublicKeyFieldEvent | AnnouncementTahoeGatewaySignatureFieldEvent> {
    return streamMessage(buf, Announcement.codec(), opts)
  }
}

export interface TahoeCarriage {
  msg: Uint8Array<ArrayBuffer>
  sig: Uint8Array<ArrayBuffer>
  key: Uint8Array<ArrayBuffer>
  gatewayPublicKey: Uint8Array<ArrayBuffer>
  gatewaySignature: Uint8Array<ArrayBuffer>
}

export namespace TahoeCarriage {
  let _codec: Codec<TahoeCarriage>

  export const codec = (): Codec<TahoeCarriage> => {
    if (_codec == null) {
      _codec = message<TahoeCarriage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.msg != null && obj.msg.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.msg)
        }

        if ((obj.sig != null && obj.sig.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.sig)
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.key)
        }

        if ((obj.gatewayPublicKey != null && obj.gatewayPublicKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.gatewayPublicKey)
        }

        if ((obj.gatewaySignature != null && obj.gatewaySignature.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.gatewaySignature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          msg: uint8ArrayAlloc(0),
          sig: uint8ArrayAlloc(0),
          key: uint8ArrayAlloc(0),
          gatewayPublicKey: uint8ArrayAlloc(0),
          gatewaySignature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.msg = reader.bytes()
              break
            }
            case 2: {
              obj.sig = reader.bytes()
              break
            }
            case 3: {
              obj.key = reader.bytes()
              break
            }
            case 4: {
              obj.gatewayPublicKey = reader.bytes()
              break
            }
            case 5: {
              obj.gatewaySignature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.msg`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sig`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.gatewayPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.gatewaySignature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TahoeCarriageMsgFieldEvent {
    field: '$.msg'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TahoeCarriageSigFieldEvent {
    field: '$.sig'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TahoeCarriageKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TahoeCarriageGatewayPublicKeyFieldEvent {
    field: '$.gatewayPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TahoeCarriageGatewaySignatureFieldEvent {
    field: '$.gatewaySignature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TahoeCarriage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TahoeCarriage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TahoeCarriage>): TahoeCarriage {
    return decodeMessage(buf, TahoeCarriage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TahoeCarriage>): Generator<TahoeCarriageMsgFieldEvent | TahoeCarriageSigFieldEvent | TahoeCarriageKeyFieldEvent | TahoeCarriageGatewayPublicKeyFieldEvent | TahoeCarriageGatewaySignatureFieldEvent> {
    return streamMessage(buf, TahoeCarriage.codec(), opts)
  }
}

export interface SignedAnnouncement {
  payload: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedAnnouncement {
  let _codec: Codec<SignedAnnouncement>

  export const codec = (): Codec<SignedAnnouncement> => {
    if (_codec == null) {
      _codec = message<SignedAnnouncement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.payload)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          payload: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.payload = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedAnnouncementPayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedAnnouncementSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedAnnouncement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedAnnouncement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedAnnouncement>): SignedAnnouncement {
    return decodeMessage(buf, SignedAnnouncement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedAnnouncement>): Generator<SignedAnnouncementPayloadFieldEvent | SignedAnnouncementSignatureFieldEvent> {
    return streamMessage(buf, SignedAnnouncement.codec(), opts)
  }
}

export interface Certificate {
  grid: string
  subjectPublicKey: Uint8Array<ArrayBuffer>
  services: string[]
  expiresAtMs: number
  managerPublicKey: Uint8Array<ArrayBuffer>
}

export namespace Certificate {
  let _codec: Codec<Certificate>

  export const codec = (): Codec<Certificate> => {
    if (_codec == null) {
      _codec = message<Certificate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.grid != null && obj.grid !== '')) {
          w.uint32(10)
          w.string(obj.grid)
        }

        if ((obj.subjectPublicKey != null && obj.subjectPublicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.subjectPublicKey)
        }

        if (obj.services != null && obj.services.length > 0) {
          for (const value of obj.services) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.expiresAtMs != null && obj.expiresAtMs !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.expiresAtMs)
        }

        if ((obj.managerPublicKey != null && obj.managerPublicKey.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.managerPublicKey)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          grid: '',
          subjectPublicKey: uint8ArrayAlloc(0),
          services: [],
          expiresAtMs: 0,
          managerPublicKey: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.grid = reader.string()
              break
            }
            case 2: {
              obj.subjectPublicKey = reader.bytes()
              break
            }
            case 3: {
              if (opts.limits?.services != null && obj.services.length === opts.limits.services) {
                throw new MaxLengthError('Decode error - repeated field "services" had too many elements')
              }

              obj.services.push(reader.string())
              break
            }
            case 4: {
              obj.expiresAtMs = reader.uint64Number()
              break
            }
            case 5: {
              obj.managerPublicKey = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          services: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.grid`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.subjectPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              if (opts.limits?.services != null && obj.services === opts.limits.services) {
                throw new MaxLengthError('Streaming decode error - repeated field "services" had too many elements')
              }

              yield {
                field: `${prefix}.services[]`,
                index: obj.services,
                value: reader.string()
              }

              obj.services++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.expiresAtMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.managerPublicKey`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CertificateGridFieldEvent {
    field: '$.grid'
    value: string
  }

  export interface CertificateSubjectPublicKeyFieldEvent {
    field: '$.subjectPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CertificateServicesFieldEvent {
    field: '$.services[]'
    index: number
    value: string
  }

  export interface CertificateExpiresAtMsFieldEvent {
    field: '$.expiresAtMs'
    value: number
  }

  export interface CertificateManagerPublicKeyFieldEvent {
    field: '$.managerPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Certificate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Certificate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Certificate>): Certificate {
    return decodeMessage(buf, Certificate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Certificate>): Generator<CertificateGridFieldEvent | CertificateSubjectPublicKeyFieldEvent | CertificateServicesFieldEvent | CertificateExpiresAtMsFieldEvent | CertificateManagerPublicKeyFieldEvent> {
    return streamMessage(buf, Certificate.codec(), opts)
  }
}

export interface SignedCertificate {
  payload: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedCertificate {
  let _codec: Codec<SignedCertificate>

  export const codec = (): Codec<SignedCertificate> => {
    if (_codec == null) {
      _codec = message<SignedCertificate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.payload)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          payload: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.payload = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedCertificatePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedCertificateSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedCertificate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedCertificate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedCertificate>): SignedCertificate {
    return decodeMessage(buf, SignedCertificate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedCertificate>): Generator<SignedCertificatePayloadFieldEvent | SignedCertificateSignatureFieldEvent> {
    return streamMessage(buf, SignedCertificate.codec(), opts)
  }
}

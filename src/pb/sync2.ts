import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Sync2Mode {
  SKIP = 'SKIP',
  FINGERPRINT = 'FINGERPRINT',
  ITEMS = 'ITEMS',
  DIFF = 'DIFF'
}

enum __Sync2ModeValues {
  SKIP = 0,
  FINGERPRINT = 1,
  ITEMS = 2,
  DIFF = 3
}

export namespace Sync2Mode {
  export const codec = (): Codec<Sync2Mode> => {
    return enumeration<Sync2Mode>(__Sync2ModeValues)
  }
}

export interface Sync2Item {
  service: string
  publicKey: Uint8Array<ArrayBuffer>
  seqnum: bigint
  digest: Uint8Array<ArrayBuffer>
}

export namespace Sync2Item {
  let _codec: Codec<Sync2Item>

  export const codec = (): Codec<Sync2Item> => {
    if (_codec == null) {
      _codec = message<Sync2Item>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.service != null && obj.service !== '')) {
          w.uint32(10)
          w.string(obj.service)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.publicKey)
        }

        if ((obj.seqnum != null && obj.seqnum !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seqnum)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          service: '',
          publicKey: uint8ArrayAlloc(0),
          seqnum: 0n,
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.service = reader.string()
              break
            }
            case 2: {
              obj.publicKey = reader.bytes()
              break
            }
            case 3: {
              obj.seqnum = reader.uint64()
              break
            }
            case 4: {
              obj.digest = reader.bytes()
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
                field: `${prefix}.service`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seqnum`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.digest`,
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

  export interface Sync2ItemServiceFieldEvent {
    field: '$.service'
    value: string
  }

  export interface Sync2ItemPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface Sync2ItemSeqnumFieldEvent {
    field: '$.seqnum'
    value: bigint
  }

  export interface Sync2ItemDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Sync2Item>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Sync2Item.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Item>): Sync2Item {
    return decodeMessage(buf, Sync2Item.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Item>): Generator<Sync2ItemServiceFieldEvent | Sync2ItemPublicKeyFieldEvent | Sync2ItemSeqnumFieldEvent | Sync2ItemDigestFieldEvent> {
    return streamMessage(buf, Sync2Item.codec(), opts)
  }
}

export interface Sync2Range {
  service: string
  keyPrefix: Uint8Array<ArrayBuffer>
  toEnd: boolean
  mode: Sync2Mode
  fingerprint: Uint8Array<ArrayBuffer>
  items: Sync2Item[]
  missing: number[]
}

export namespace Sync2Range {
  let _codec: Codec<Sync2Range>

  export const codec = (): Codec<Sync2Range> => {
    if (_codec == null) {
      _codec = message<Sync2Range>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.service != null && obj.service !== '')) {
          w.uint32(10)
          w.string(obj.service)
        }

        if ((obj.keyPrefix != null && obj.keyPrefix.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.keyPrefix)
        }

        if ((obj.toEnd != null && obj.toEnd !== false)) {
          w.uint32(24)
          w.bool(obj.toEnd)
        }

        if (obj.mode != null && __Sync2ModeValues[obj.mode] !== 0) {
          w.uint32(32)
          Sync2Mode.codec().encode(obj.mode, w)
        }

        if ((obj.fingerprint != null && obj.fingerprint.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.fingerprint)
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(50)
            Sync2Item.codec().encode(value, w)
          }
        }

        if (obj.missing != null && obj.missing.length > 0) {
          for (const value of obj.missing) {
            w.uint32(56)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          service: '',
          keyPrefix: uint8ArrayAlloc(0),
          toEnd: false,
          mode: Sync2Mode.SKIP,
          fingerprint: uint8ArrayAlloc(0),
          items: [],
          missing: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.service = reader.string()
              break
            }
            case 2: {
              obj.keyPrefix = reader.bytes()
              break
            }
            case 3: {
              obj.toEnd = reader.bool()
              break
            }
            case 4: {
              obj.mode = Sync2Mode.codec().decode(reader)
              break
            }
            case 5: {
              obj.fingerprint = reader.bytes()
              break
            }
            case 6: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(Sync2Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 7: {
              if (opts.limits?.missing != null && obj.missing.length === opts.limits.missing) {
                throw new MaxLengthError('Decode error - repeated field "missing" had too many elements')
              }

              obj.missing.push(reader.uint32())
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
          items: 0,
          missing: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.service`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.keyPrefix`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.toEnd`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.mode`,
                value: Sync2Mode.codec().decode(reader)
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.fingerprint`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of Sync2Item.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 7: {
              if (opts.limits?.missing != null && obj.missing === opts.limits.missing) {
                throw new MaxLengthError('Streaming decode error - repeated field "missing" had too many elements')
              }

              yield {
                field: `${prefix}.missing[]`,
                index: obj.missing,
                value: reader.uint32()
              }

              obj.missing++

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

  export interface Sync2RangeServiceFieldEvent {
    field: '$.service'
    value: string
  }

  export interface Sync2RangeKeyPrefixFieldEvent {
    field: '$.keyPrefix'
    value: Uint8Array<ArrayBuffer>
  }

  export interface Sync2RangeToEndFieldEvent {
    field: '$.toEnd'
    value: boolean
  }

  export interface Sync2RangeModeFieldEvent {
    field: '$.mode'
    value: Sync2Mode
  }

  export interface Sync2RangeFingerprintFieldEvent {
    field: '$.fingerprint'
    value: Uint8Array<ArrayBuffer>
  }

  export interface Sync2RangeItemsServiceFieldEvent {
    field: '$.items[].service'
    value: string
    index: number
  }

  export interface Sync2RangeItemsPublicKeyFieldEvent {
    field: '$.items[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2RangeItemsSeqnumFieldEvent {
    field: '$.items[].seqnum'
    value: bigint
    index: number
  }

  export interface Sync2RangeItemsDigestFieldEvent {
    field: '$.items[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2RangeMissingFieldEvent {
    field: '$.missing[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<Sync2Range>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Sync2Range.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Range>): Sync2Range {
    return decodeMessage(buf, Sync2Range.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Range>): Generator<Sync2RangeServiceFieldEvent | Sync2RangeKeyPrefixFieldEvent | Sync2RangeToEndFieldEvent | Sync2RangeModeFieldEvent | Sync2RangeFingerprintFieldEvent | Sync2RangeItemsServiceFieldEvent | Sync2RangeItemsPublicKeyFieldEvent | Sync2RangeItemsSeqnumFieldEvent | Sync2RangeItemsDigestFieldEvent | Sync2RangeMissingFieldEvent> {
    return streamMessage(buf, Sync2Range.codec(), opts)
  }
}

export interface Sync2Open {
  grid: string
  services: string[]
  ranges: Sync2Range[]
  offered: Sync2Item[]
  takesOffers: boolean
}

export namespace Sync2Open {
  let _codec: Codec<Sync2Open>

  export const codec = (): Codec<Sync2Open> => {
    if (_codec == null) {
      _codec = message<Sync2Open>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.grid != null && obj.grid !== '')) {
          w.uint32(10)
          w.string(obj.grid)
        }

        if (obj.services != null && obj.services.length > 0) {
          for (const value of obj.services) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(26)
            Sync2Range.codec().encode(value, w)
          }
        }

        if (obj.offered != null && obj.offered.length > 0) {
          for (const value of obj.offered) {
            w.uint32(34)
            Sync2Item.codec().encode(value, w)
          }
        }

        if ((obj.takesOffers != null && obj.takesOffers !== false)) {
          w.uint32(40)
          w.bool(obj.takesOffers)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          grid: '',
          services: [],
          ranges: [],
          offered: [],
          takesOffers: false
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
              if (opts.limits?.services != null && obj.services.length === opts.limits.services) {
                throw new MaxLengthError('Decode error - repeated field "services" had too many elements')
              }

              obj.services.push(reader.string())
              break
            }
            case 3: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(Sync2Range.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            case 4: {
              if (opts.limits?.offered != null && obj.offered.length === opts.limits.offered) {
                throw new MaxLengthError('Decode error - repeated field "offered" had too many elements')
              }

              obj.offered.push(Sync2Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.offered$
              }))
              break
            }
            case 5: {
              obj.takesOffers = reader.bool()
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
          services: 0,
          ranges: 0,
          offered: 0
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
            case 3: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of Sync2Range.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            case 4: {
              if (opts.limits?.offered != null && obj.offered === opts.limits.offered) {
                throw new MaxLengthError('Streaming decode error - repeated field "offered" had too many elements')
              }

              for (const evt of Sync2Item.codec().stream(reader, reader.uint32(), `${prefix}.offered[]`, {
                limits: opts.limits?.offered$
              })) {
                yield {
                  ...evt,
                  index: obj.offered
                }
              }

              obj.offered++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.takesOffers`,
                value: reader.bool()
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

  export interface Sync2OpenGridFieldEvent {
    field: '$.grid'
    value: string
  }

  export interface Sync2OpenServicesFieldEvent {
    field: '$.services[]'
    index: number
    value: string
  }

  export interface Sync2OpenRangesServiceFieldEvent {
    field: '$.ranges[].service'
    value: string
    index: number
  }

  export interface Sync2OpenRangesKeyPrefixFieldEvent {
    field: '$.ranges[].keyPrefix'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2OpenRangesToEndFieldEvent {
    field: '$.ranges[].toEnd'
    value: boolean
    index: number
  }

  export interface Sync2OpenRangesModeFieldEvent {
    field: '$.ranges[].mode'
    value: Sync2Mode
    index: number
  }

  export interface Sync2OpenRangesFingerprintFieldEvent {
    field: '$.ranges[].fingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2OpenRangesItemsServiceFieldEvent {
    field: '$.ranges[].items[].service'
    value: string
    index: number
  }

  export interface Sync2OpenRangesItemsPublicKeyFieldEvent {
    field: '$.ranges[].items[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2OpenRangesItemsSeqnumFieldEvent {
    field: '$.ranges[].items[].seqnum'
    value: bigint
    index: number
  }

  export interface Sync2OpenRangesItemsDigestFieldEvent {
    field: '$.ranges[].items[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2OpenRangesMissingFieldEvent {
    field: '$.ranges[].missing[]'
    index: number
    value: number
  }

  export interface Sync2OpenOfferedServiceFieldEvent {
    field: '$.offered[].service'
    value: string
    index: number
  }

  export interface Sync2OpenOfferedPublicKeyFieldEvent {
    field: '$.offered[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2OpenOfferedSeqnumFieldEvent {
    field: '$.offered[].seqnum'
    value: bigint
    index: number
  }

  export interface Sync2OpenOfferedDigestFieldEvent {
    field: '$.offered[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2OpenTakesOffersFieldEvent {
    field: '$.takesOffers'
    value: boolean
  }

  export function encode (obj: Partial<Sync2Open>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Sync2Open.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Open>): Sync2Open {
    return decodeMessage(buf, Sync2Open.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Open>): Generator<Sync2OpenGridFieldEvent | Sync2OpenServicesFieldEvent | Sync2OpenRangesServiceFieldEvent | Sync2OpenRangesKeyPrefixFieldEvent | Sync2OpenRangesToEndFieldEvent | Sync2OpenRangesModeFieldEvent | Sync2OpenRangesFingerprintFieldEvent | Sync2OpenRangesItemsServiceFieldEvent | Sync2OpenRangesItemsPublicKeyFieldEvent | Sync2OpenRangesItemsSeqnumFieldEvent | Sync2OpenRangesItemsDigestFieldEvent | Sync2OpenRangesMissingFieldEvent | Sync2OpenOfferedServiceFieldEvent | Sync2OpenOfferedPublicKeyFieldEvent | Sync2OpenOfferedSeqnumFieldEvent | Sync2OpenOfferedDigestFieldEvent | Sync2OpenTakesOffersFieldEvent> {
    return streamMessage(buf, Sync2Open.codec(), opts)
  }
}

export interface Sync2Accept {
  notShared: number[]
  ranges: Sync2Range[]
  offered: Sync2Item[]
  wanted: number[]
}

export namespace Sync2Accept {
  let _codec: Codec<Sync2Accept>

  export const codec = (): Codec<Sync2Accept> => {
    if (_codec == null) {
      _codec = message<Sync2Accept>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.notShared != null && obj.notShared.length > 0) {
          for (const value of obj.notShared) {
            w.uint32(8)
            w.uint32(value)
          }
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(18)
            Sync2Range.codec().encode(value, w)
          }
        }

        if (obj.offered != null && obj.offered.length > 0) {
          for (const value of obj.offered) {
            w.uint32(26)
            Sync2Item.codec().encode(value, w)
          }
        }

        if (obj.wanted != null && obj.wanted.length > 0) {
          for (const value of obj.wanted) {
            w.uint32(32)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          notShared: [],
          ranges: [],
          offered: [],
          wanted: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.notShared != null && obj.notShared.length === opts.limits.notShared) {
                throw new MaxLengthError('Decode error - repeated field "notShared" had too many elements')
              }

              obj.notShared.push(reader.uint32())
              break
            }
            case 2: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(Sync2Range.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            case 3: {
              if (opts.limits?.offered != null && obj.offered.length === opts.limits.offered) {
                throw new MaxLengthError('Decode error - repeated field "offered" had too many elements')
              }

              obj.offered.push(Sync2Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.offered$
              }))
              break
            }
            case 4: {
              if (opts.limits?.wanted != null && obj.wanted.length === opts.limits.wanted) {
                throw new MaxLengthError('Decode error - repeated field "wanted" had too many elements')
              }

              obj.wanted.push(reader.uint32())
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
          notShared: 0,
          ranges: 0,
          offered: 0,
          wanted: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.notShared != null && obj.notShared === opts.limits.notShared) {
                throw new MaxLengthError('Streaming decode error - repeated field "notShared" had too many elements')
              }

              yield {
                field: `${prefix}.notShared[]`,
                index: obj.notShared,
                value: reader.uint32()
              }

              obj.notShared++

              break
            }
            case 2: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of Sync2Range.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            case 3: {
              if (opts.limits?.offered != null && obj.offered === opts.limits.offered) {
                throw new MaxLengthError('Streaming decode error - repeated field "offered" had too many elements')
              }

              for (const evt of Sync2Item.codec().stream(reader, reader.uint32(), `${prefix}.offered[]`, {
                limits: opts.limits?.offered$
              })) {
                yield {
                  ...evt,
                  index: obj.offered
                }
              }

              obj.offered++

              break
            }
            case 4: {
              if (opts.limits?.wanted != null && obj.wanted === opts.limits.wanted) {
                throw new MaxLengthError('Streaming decode error - repeated field "wanted" had too many elements')
              }

              yield {
                field: `${prefix}.wanted[]`,
                index: obj.wanted,
                value: reader.uint32()
              }

              obj.wanted++

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

  export interface Sync2AcceptNotSharedFieldEvent {
    field: '$.notShared[]'
    index: number
    value: number
  }

  export interface Sync2AcceptRangesServiceFieldEvent {
    field: '$.ranges[].service'
    value: string
    index: number
  }

  export interface Sync2AcceptRangesKeyPrefixFieldEvent {
    field: '$.ranges[].keyPrefix'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2AcceptRangesToEndFieldEvent {
    field: '$.ranges[].toEnd'
    value: boolean
    index: number
  }

  export interface Sync2AcceptRangesModeFieldEvent {
    field: '$.ranges[].mode'
    value: Sync2Mode
    index: number
  }

  export interface Sync2AcceptRangesFingerprintFieldEvent {
    field: '$.ranges[].fingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2AcceptRangesItemsServiceFieldEvent {
    field: '$.ranges[].items[].service'
    value: string
    index: number
  }

  export interface Sync2AcceptRangesItemsPublicKeyFieldEvent {
    field: '$.ranges[].items[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2AcceptRangesItemsSeqnumFieldEvent {
    field: '$.ranges[].items[].seqnum'
    value: bigint
    index: number
  }

  export interface Sync2AcceptRangesItemsDigestFieldEvent {
    field: '$.ranges[].items[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2AcceptRangesMissingFieldEvent {
    field: '$.ranges[].missing[]'
    index: number
    value: number
  }

  export interface Sync2AcceptOfferedServiceFieldEvent {
    field: '$.offered[].service'
    value: string
    index: number
  }

  export interface Sync2AcceptOfferedPublicKeyFieldEvent {
    field: '$.offered[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2AcceptOfferedSeqnumFieldEvent {
    field: '$.offered[].seqnum'
    value: bigint
    index: number
  }

  export interface Sync2AcceptOfferedDigestFieldEvent {
    field: '$.offered[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2AcceptWantedFieldEvent {
    field: '$.wanted[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<Sync2Accept>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Sync2Accept.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Accept>): Sync2Accept {
    return decodeMessage(buf, Sync2Accept.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Accept>): Generator<Sync2AcceptNotSharedFieldEvent | Sync2AcceptRangesServiceFieldEvent | Sync2AcceptRangesKeyPrefixFieldEvent | Sync2AcceptRangesToEndFieldEvent | Sync2AcceptRangesModeFieldEvent | Sync2AcceptRangesFingerprintFieldEvent | Sync2AcceptRangesItemsServiceFieldEvent | Sync2AcceptRangesItemsPublicKeyFieldEvent | Sync2AcceptRangesItemsSeqnumFieldEvent | Sync2AcceptRangesItemsDigestFieldEvent | Sync2AcceptRangesMissingFieldEvent | Sync2AcceptOfferedServiceFieldEvent | Sync2AcceptOfferedPublicKeyFieldEvent | Sync2AcceptOfferedSeqnumFieldEvent | Sync2AcceptOfferedDigestFieldEvent | Sync2AcceptWantedFieldEvent> {
    return streamMessage(buf, Sync2Accept.codec(), opts)
  }
}

export interface Sync2Reconcile {
  ranges: Sync2Range[]
  wanted: number[]
}

export namespace Sync2Reconcile {
  let _codec: Codec<Sync2Reconcile>

  export const codec = (): Codec<Sync2Reconcile> => {
    if (_codec == null) {
      _codec = message<Sync2Reconcile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(10)
            Sync2Range.codec().encode(value, w)
          }
        }

        if (obj.wanted != null && obj.wanted.length > 0) {
          for (const value of obj.wanted) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ranges: [],
          wanted: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(Sync2Range.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            case 2: {
              if (opts.limits?.wanted != null && obj.wanted.length === opts.limits.wanted) {
                throw new MaxLengthError('Decode error - repeated field "wanted" had too many elements')
              }

              obj.wanted.push(reader.uint32())
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
          ranges: 0,
          wanted: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of Sync2Range.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            case 2: {
              if (opts.limits?.wanted != null && obj.wanted === opts.limits.wanted) {
                throw new MaxLengthError('Streaming decode error - repeated field "wanted" had too many elements')
              }

              yield {
                field: `${prefix}.wanted[]`,
                index: obj.wanted,
                value: reader.uint32()
              }

              obj.wanted++

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

  export interface Sync2ReconcileRangesServiceFieldEvent {
    field: '$.ranges[].service'
    value: string
    index: number
  }

  export interface Sync2ReconcileRangesKeyPrefixFieldEvent {
    field: '$.ranges[].keyPrefix'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2ReconcileRangesToEndFieldEvent {
    field: '$.ranges[].toEnd'
    value: boolean
    index: number
  }

  export interface Sync2ReconcileRangesModeFieldEvent {
    field: '$.ranges[].mode'
    value: Sync2Mode
    index: number
  }

  export interface Sync2ReconcileRangesFingerprintFieldEvent {
    field: '$.ranges[].fingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2ReconcileRangesItemsServiceFieldEvent {
    field: '$.ranges[].items[].service'
    value: string
    index: number
  }

  export interface Sync2ReconcileRangesItemsPublicKeyFieldEvent {
    field: '$.ranges[].items[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2ReconcileRangesItemsSeqnumFieldEvent {
    field: '$.ranges[].items[].seqnum'
    value: bigint
    index: number
  }

  export interface Sync2ReconcileRangesItemsDigestFieldEvent {
    field: '$.ranges[].items[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2ReconcileRangesMissingFieldEvent {
    field: '$.ranges[].missing[]'
    index: number
    value: number
  }

  export interface Sync2ReconcileWantedFieldEvent {
    field: '$.wanted[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<Sync2Reconcile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Sync2Reconcile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Reconcile>): Sync2Reconcile {
    return decodeMessage(buf, Sync2Reconcile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Reconcile>): Generator<Sync2ReconcileRangesServiceFieldEvent | Sync2ReconcileRangesKeyPrefixFieldEvent | Sync2ReconcileRangesToEndFieldEvent | Sync2ReconcileRangesModeFieldEvent | Sync2ReconcileRangesFingerprintFieldEvent | Sync2ReconcileRangesItemsServiceFieldEvent | Sync2ReconcileRangesItemsPublicKeyFieldEvent | Sync2ReconcileRangesItemsSeqnumFieldEvent | Sync2ReconcileRangesItemsDigestFieldEvent | Sync2ReconcileRangesMissingFieldEvent | Sync2ReconcileWantedFieldEvent> {
    return streamMessage(buf, Sync2Reconcile.codec(), opts)
  }
}

export interface Sync2Record {
  record: Uint8Array<ArrayBuffer>
  ageMs: number
}

export namespace Sync2Record {
  let _codec: Codec<Sync2Record>

  export const codec = (): Codec<Sync2Record> => {
    if (_codec == null) {
      _codec = message<Sync2Record>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.record != null && obj.record.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.record)
        }

        if ((obj.ageMs != null && obj.ageMs !== 0)) {
          w.uint32(16)
          w.uint32(obj.ageMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          record: uint8ArrayAlloc(0),
          ageMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.record = reader.bytes()
              break
            }
            case 2: {
              obj.ageMs = reader.uint32()
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
                field: `${prefix}.record`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ageMs`,
                value: reader.uint32()
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

  export interface Sync2RecordRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export interface Sync2RecordAgeMsFieldEvent {
    field: '$.ageMs'
    value: number
  }

  export function encode (obj: Partial<Sync2Record>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Sync2Record.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Record>): Sync2Record {
    return decodeMessage(buf, Sync2Record.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Record>): Generator<Sync2RecordRecordFieldEvent | Sync2RecordAgeMsFieldEvent> {
    return streamMessage(buf, Sync2Record.codec(), opts)
  }
}

export interface Sync2Records {
  records: Sync2Record[]
  done: boolean
}

export namespace Sync2Records {
  let _codec: Codec<Sync2Records>

  export const codec = (): Codec<Sync2Records> => {
    if (_codec == null) {
      _codec = message<Sync2Records>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(10)
            Sync2Record.codec().encode(value, w)
          }
        }

        if ((obj.done != null && obj.done !== false)) {
          w.uint32(16)
          w.bool(obj.done)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          records: [],
          done: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(Sync2Record.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.records$
              }))
              break
            }
            case 2: {
              obj.done = reader.bool()
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
          records: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              for (const evt of Sync2Record.codec().stream(reader, reader.uint32(), `${prefix}.records[]`, {
                limits: opts.limits?.records$
              })) {
                yield {
                  ...evt,
                  index: obj.records
                }
              }

              obj.records++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.done`,
                value: reader.bool()
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

  export interface Sync2RecordsRecordsRecordFieldEvent {
    field: '$.records[].record'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface Sync2RecordsRecordsAgeMsFieldEvent {
    field: '$.records[].ageMs'
    value: number
    index: number
  }

  export interface Sync2RecordsDoneFieldEvent {
    field: '$.done'
    value: boolean
  }

  export function encode (obj: Partial<Sync2Records>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Sync2Records.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Records>): Sync2Records {
    return decodeMessage(buf, Sync2Records.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync2Records>): Generator<Sync2RecordsRecordsRecordFieldEvent | Sync2RecordsRecordsAgeMsFieldEvent | Sync2RecordsDoneFieldEvent> {
    return streamMessage(buf, Sync2Records.codec(), opts)
  }
}

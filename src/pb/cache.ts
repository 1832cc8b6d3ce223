import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface CachedRecords {
  records: Uint8Array<ArrayBuffer>[]
  entries: CachedRecord[]
}

export namespace CachedRecords {
  let _codec: Codec<CachedRecords>

  export const codec = (): Codec<CachedRecords> => {
    if (_codec == null) {
      _codec = message<CachedRecords>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(18)
            CachedRecord.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          records: [],
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(reader.bytes())
              break
            }
            case 2: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(CachedRecord.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
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
          records: 0,
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              yield {
                field: `${prefix}.records[]`,
                index: obj.records,
                value: reader.bytes()
              }

              obj.records++

              break
            }
            case 2: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of CachedRecord.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

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

  export interface CachedRecordsRecordsFieldEvent {
    field: '$.records[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CachedRecordsEntriesRecordFieldEvent {
    field: '$.entries[].record'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CachedRecordsEntriesOriginMsFieldEvent {
    field: '$.entries[].originMs'
    value: number
    index: number
  }

  export interface CachedRecordsEntriesFirstSeenMsFieldEvent {
    field: '$.entries[].firstSeenMs'
    value: number
    index: number
  }

  export interface CachedRecordsEntriesRefreshesFieldEvent {
    field: '$.entries[].refreshes'
    value: number
    index: number
  }

  export interface CachedRecordsEntriesReachedFieldEvent {
    field: '$.entries[].reached'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<CachedRecords>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CachedRecords.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CachedRecords>): CachedRecords {
    return decodeMessage(buf, CachedRecords.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CachedRecords>): Generator<CachedRecordsRecordsFieldEvent | CachedRecordsEntriesRecordFieldEvent | CachedRecordsEntriesOriginMsFieldEvent | CachedRecordsEntriesFirstSeenMsFieldEvent | CachedRecordsEntriesRefreshesFieldEvent | CachedRecordsEntriesReachedFieldEvent> {
    return streamMessage(buf, CachedRecords.codec(), opts)
  }
}

export interface CachedRecord {
  record: Uint8Array<ArrayBuffer>
  originMs: number
  firstSeenMs: number
  refreshes: number
  reached: boolean
}

export namespace CachedRecord {
  let _codec: Codec<CachedRecord>

  export const codec = (): Codec<CachedRecord> => {
    if (_codec == null) {
      _codec = message<CachedRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.record != null && obj.record.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.record)
        }

        if ((obj.originMs != null && obj.originMs !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.originMs)
        }

        if ((obj.firstSeenMs != null && obj.firstSeenMs !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.firstSeenMs)
        }

        if ((obj.refreshes != null && obj.refreshes !== 0)) {
          w.uint32(32)
          w.uint32(obj.refreshes)
        }

        if ((obj.reached != null && obj.reached !== false)) {
          w.uint32(40)
          w.bool(obj.reached)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          record: uint8ArrayAlloc(0),
          originMs: 0,
          firstSeenMs: 0,
          refreshes: 0,
          reached: false
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
              obj.originMs = reader.uint64Number()
              break
            }
            case 3: {
              obj.firstSeenMs = reader.uint64Number()
              break
            }
            case 4: {
              obj.refreshes = reader.uint32()
              break
            }
            case 5: {
              obj.reached = reader.bool()
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
                field: `${prefix}.originMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.firstSeenMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.refreshes`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.reached`,
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

  export interface CachedRecordRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CachedRecordOriginMsFieldEvent {
    field: '$.originMs'
    value: number
  }

  export interface CachedRecordFirstSeenMsFieldEvent {
    field: '$.firstSeenMs'
    value: number
  }

  export interface CachedRecordRefreshesFieldEvent {
    field: '$.refreshes'
    value: number
  }

  export interface CachedRecordReachedFieldEvent {
    field: '$.reached'
    value: boolean
  }

  export function encode (obj: Partial<CachedRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CachedRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CachedRecord>): CachedRecord {
    return decodeMessage(buf, CachedRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CachedRecord>): Generator<CachedRecordRecordFieldEvent | CachedRecordOriginMsFieldEvent | CachedRecordFirstSeenMsFieldEvent | CachedRecordRefreshesFieldEvent | CachedRecordReachedFieldEvent> {
    return streamMessage(buf, CachedRecord.codec(), opts)
  }
}

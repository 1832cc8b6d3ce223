/**
 * The wire grammar of sync 2.0.0 frames (docs/protocol.md §12.5.2): pb/sync2.proto field
 * by field, for checkWireFormat (announcement/wire-format.ts). Protons reads a field by
 * its number whatever its wire type, so without this check a frame another encoder wrote
 * differently (a packed `repeated uint32`, say) could be misread instead of refused.
 */
import type { MessageSchema } from '../announcement/wire-format.js'

const ITEM: MessageSchema = { 1: 'string', 2: 'bytes', 3: 'uint64', 4: 'bytes' }
const RANGE: MessageSchema = { 1: 'string', 2: 'bytes', 3: 'bool', 4: 'uint32', 5: 'bytes', 6: ITEM, 7: 'uint32' }
const RECORD: MessageSchema = { 1: 'bytes', 2: 'uint32' }

export const SYNC2_OPEN_SCHEMA: MessageSchema = { 1: 'string', 2: 'string', 3: RANGE, 4: ITEM, 5: 'bool' }
export const SYNC2_ACCEPT_SCHEMA: MessageSchema = { 1: 'uint32', 2: RANGE, 3: ITEM, 4: 'uint32' }
export const SYNC2_RECONCILE_SCHEMA: MessageSchema = { 1: RANGE, 2: 'uint32' }
export const SYNC2_RECORDS_SCHEMA: MessageSchema = { 1: RECORD, 2: 'bool' }

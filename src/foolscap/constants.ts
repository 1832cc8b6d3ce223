/**
 * Wire constants of Foolscap 21.x (banana token type bytes, negotiation versions) and the
 * default bounds this implementation applies to everything it reads.
 */

/** Banana token type bytes (foolscap/tokens.py); the header before them is base-128. */
export const TOKEN = {
  LIST: 0x80,
  INT: 0x81,
  STRING: 0x82,
  NEG: 0x83,
  FLOAT: 0x84,
  /** banana.rst lists 0x8B/0x8C, but Foolscap sends (and reads) LONGINT/LONGNEG as 0x85/0x86. */
  LONGINT: 0x85,
  LONGNEG: 0x86,
  VOCAB: 0x87,
  OPEN: 0x88,
  CLOSE: 0x89,
  ABORT: 0x8a,
  ERROR: 0x8d,
  PING: 0x8e,
  PONG: 0x8f
} as const

/** A token header is at most 64 base-128 digits (banana.rst). */
export const MAX_HEADER_DIGITS = 64
/** ERROR tokens carry at most 1000 bytes (banana.rst, tokens.SIZE_LIMIT). */
export const MAX_ERROR_BYTES = 1000
/** INT covers [0, 2**31); NEG covers [-2**31, 0); larger values use LONGINT/LONGNEG. */
export const INT_LIMIT = 2 ** 31

/** The only banana negotiation version Foolscap 0.1.3+ speaks (PING/PONG added). */
export const BANANA_VERSION = 3
/** Initial vocabulary tables offered: 0 (empty) and 1 (the 0.0.6 opentypes). */
export const VOCAB_RANGE: readonly [number, number] = [0, 1]
/** Foolscap refuses a negotiation header block longer than this (negotiate.py). */
export const MAX_NEGOTIATION_BLOCK_BYTES = 4096

/** Default bounds, each overridable through `FoolscapLimits`. */
export const DEFAULT_MAX_STRING_BYTES = 256 * 1024
export const DEFAULT_MAX_CONTAINER_ITEMS = 10_000
export const DEFAULT_MAX_DEPTH = 32
/** LONGINT/LONGNEG bodies longer than this (bytes of magnitude) are refused. */
export const MAX_LONGINT_BYTES = 64
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
export const DEFAULT_MAX_CONNECTION_BYTES = 256 * 1024 * 1024
export const DEFAULT_MAX_INBOUND_CALLS = 32
export const DEFAULT_MAX_OUTBOUND_CALLS = 256
export const DEFAULT_MAX_REFERENCES = 1024
export const DEFAULT_NEGOTIATION_TIMEOUT_MS = 30_000
/** Foolscap pings a connection idle for 4 minutes; we do the same. */
export const DEFAULT_KEEPALIVE_MS = 4 * 60_000
/** A connection that sent nothing (not even a PONG) this long is dropped. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000
export const DEFAULT_CALL_TIMEOUT_MS = 60_000
export const DEFAULT_MAX_CONNECTIONS = 1000
export const DEFAULT_MAX_NEGOTIATING = 64

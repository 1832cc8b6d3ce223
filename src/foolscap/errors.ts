/**
 * Failures of the Foolscap layer, one class per kind, each with a stable `name`.
 */

/** The peer broke the banana or PB protocol; the connection is closed. */
export class BananaError extends Error {
  static readonly NAME = 'BananaError'
  override readonly name = BananaError.NAME
}

/** A call's arguments or result do not fit the method's schema; the call fails, the connection stays. */
export class Violation extends Error {
  static readonly NAME = 'Violation'
  override readonly name = Violation.NAME
}

/** Connection negotiation failed (bad request, wrong tub id, version mismatch, timeout). */
export class NegotiationError extends Error {
  static readonly NAME = 'NegotiationError'
  override readonly name = NegotiationError.NAME
}

/** The far end refused the negotiation and said why. */
export class RemoteNegotiationError extends Error {
  static readonly NAME = 'RemoteNegotiationError'
  override readonly name = RemoteNegotiationError.NAME
}

/** A FURL that is not `pb://<tubid>@<hints>/<name>`. */
export class BadFurlError extends Error {
  static readonly NAME = 'BadFurlError'
  override readonly name = BadFurlError.NAME
}

/** A tub certificate or key that cannot be used. */
export class BadTubIdentityError extends Error {
  static readonly NAME = 'BadTubIdentityError'
  override readonly name = BadTubIdentityError.NAME
}

/** The connection a reference or call depended on is gone. */
export class DeadReferenceError extends Error {
  static readonly NAME = 'DeadReferenceError'
  override readonly name = DeadReferenceError.NAME
}

/** A remote method failed; `failureType` is the remote exception's qualified class name. */
export class RemoteCallError extends Error {
  static readonly NAME = 'RemoteCallError'
  override readonly name = RemoteCallError.NAME
  constructor (readonly failureType: string, readonly failureValue: string) {
    super(`remote call failed: ${failureType}: ${failureValue}`)
  }
}

/** A remote call got no answer in time. */
export class CallTimeoutError extends Error {
  static readonly NAME = 'CallTimeoutError'
  override readonly name = CallTimeoutError.NAME
}

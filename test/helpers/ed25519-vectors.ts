/**
 * Ed25519 edge cases (protocol.md §5.2, §14.8), made with @noble/curves from the key of
 * seed 07 × 32 (§14.2), a known point of order 8 and the identity. `rule` is libsodium
 * 1.0.18's crypto_sign_verify_detached answer for the same bytes, `openssl` the answer of
 * @libp2p/crypto alone in Node.
 */
export const KEY = 'ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c'
export const ID = '01' + '00'.repeat(31)
export const ZERO = '00'.repeat(32)
const VALID = 'df3a64622779a1a91598b539254567af6f35d68f1d275d647f5689d53238bc809e92f66038650b1a4e929f6eb64359ecb139ae91f7f404a3ec9a4a1db5de240b'

/** [what, public key, signature, message (UTF-8), rule, openssl] */
export const ED25519_VECTORS: Array<[string, string, string, string, boolean, boolean]> = [
  ['a valid signature', KEY, VALID, 'vector', true, true],
  ['S + L (S not reduced)', KEY, 'df3a64622779a1a91598b539254567af6f35d68f1d275d647f5689d53238bc808b66ecbd52c81d72242f9711953d3801b239ae91f7f404a3ec9a4a1db5de241b', 'vector', false, false],
  ['A = identity, R = identity, S = 0', ID, ID + ZERO, 'vector', false, true],
  ['A = identity encoded as y = p + 1 (non-canonical)', 'ee' + 'ff'.repeat(30) + '7f', ID + ZERO, 'vector', false, true],
  ['A = identity with the sign bit of x set', '01' + '00'.repeat(30) + '80', ID + ZERO, 'vector', false, true],
  ['A of order 8, R = identity, S = 0', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', ID + ZERO, 't8-0', false, true],
  ['A = identity, R = identity encoded as y = p + 1', ID, 'ee' + 'ff'.repeat(30) + '7f' + ZERO, 'vector', false, false],
  ['R = identity, S = k·a (made with the private key)', KEY, ID + 'ad8b5c8b0778cebabb46ad61d5e5433207e100afacdc2f069a21143a1a50be0a', 'vector', false, true],
  ['R with a component of order 8 (cofactored verifiers accept)', KEY, '6a84d583f06569edb3f5ed77df65544b27d6948b4f0b2cb76f33dd8413b207198475e0e8a5362729c526acd4acff7bcbc26128fbdee6f44067492778b5e82b04', 'vector', false, false],
  ['A with a component of order 8, k not a multiple of 8', '1f4f580e73ac208f06760190e9edc6f5916775dabd9c1cdca393175c2d6d1083', '7db0dc9222f3c183457ddde4c708de8e5ea6bf3d5c4404cca14b32729a05c32a3c0b47434a555264e397cfec8a0be9ff9e83a11f5b715e56ed5bde9f7ad2250a', 'mixed-0', false, false],
  ['A with a component of order 8, k a multiple of 8', '1f4f580e73ac208f06760190e9edc6f5916775dabd9c1cdca393175c2d6d1083', '7db0dc9222f3c183457ddde4c708de8e5ea6bf3d5c4404cca14b32729a05c32aa016c68444428e67acfe083705281772cd2865e36971ea8c2a685aa5d8e3be0a', 'mixed-7', true, true],
  ['A not on the curve (y = 2)', '02' + '00'.repeat(31), VALID, 'vector', false, false],
  ['A encoded as y = p + 3 (non-canonical, not small order)', 'f0' + 'ff'.repeat(30) + '7f', VALID, 'vector', false, false]
]


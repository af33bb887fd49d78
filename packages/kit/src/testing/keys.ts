import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import type { Jwk } from '../auth/jwks-cache.js'

export interface TestSigningKey { kid: string; privateKey: KeyObject; publicJwk: Jwk }

/** A fresh RS256 key pair generated at run time (no key material lives in the repo). */
export function generateSigningKey(kid = randomUUID()): TestSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } as Jwk
  return { kid, privateKey, publicJwk }
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/**
 * Signs any token a test needs, including the bad ones (expired, wrong
 * audience, `alg: none`), without going through the user service.
 *
 * @example
 * const token = signTestToken(key, { sub: id, role: 'admin', sid }, { audience: 'lms' })
 */
export function signTestToken(
  key: TestSigningKey | undefined,
  claims: Record<string, unknown>,
  opts: { issuer?: string; audience?: string; expiresInSeconds?: number; header?: Record<string, unknown> } = {},
): string {
  const now = Math.floor(Date.now() / 1000)
  const payload = {
    iss: opts.issuer ?? 'lms-user-service',
    aud: opts.audience ?? 'lms',
    iat: now,
    exp: now + (opts.expiresInSeconds ?? 900),
    jti: randomUUID(),
    sid: randomUUID(),
    ...claims,
  }
  const header = { alg: key ? 'RS256' : 'none', typ: 'JWT', ...(key ? { kid: key.kid } : {}), ...opts.header }
  const input = `${b64(header)}.${b64(payload)}`
  if (!key || header.alg === 'none') return `${input}.`
  const signature = createSign('RSA-SHA256').update(input).sign(key.privateKey).toString('base64url')
  return `${input}.${signature}`
}

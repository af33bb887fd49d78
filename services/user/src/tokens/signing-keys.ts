import { createHash, createPrivateKey, createPublicKey, createSign, randomUUID, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { Jwk, JwkSet, Role } from '@lms/kit'

export interface SigningKey { kid: string; privateKey: KeyObject; publicJwk: Jwk }

/** RFC 7638 thumbprint: a kid that follows from the key itself, so replicas agree without coordination. */
function thumbprint(jwk: Jwk): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })
  return createHash('sha256').update(canonical).digest('base64url')
}

export function signingKeyFromPem(pem: string | Buffer): SigningKey {
  const privateKey = createPrivateKey(pem)
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('JWT signing keys must be RSA (RS256)')
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Jwk
  const kid = thumbprint(jwk)
  return { kid, privateKey, publicJwk: { kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' } }
}

export async function loadSigningKeys(files: string): Promise<SigningKey[]> {
  const paths = files.split(',').map((p) => p.trim()).filter(Boolean)
  return Promise.all(paths.map(async (path) => signingKeyFromPem(await readFile(path))))
}

export interface AccessTokenClaims { sub: string; role: Role; sid: string }

/**
 * Signs RS256 access tokens with the first key and publishes every key, so a
 * rotated-out key keeps verifying the tokens it signed until they expire.
 */
export class TokenSigner {
  constructor(
    private readonly keys: SigningKey[],
    private readonly opts: { issuer: string; audience: string; ttlSeconds: number },
  ) {
    if (keys.length === 0) throw new Error('at least one signing key is required')
  }

  get ttlSeconds() { return this.opts.ttlSeconds }

  jwks(): JwkSet {
    return { keys: this.keys.map((k) => k.publicJwk) }
  }

  sign(claims: AccessTokenClaims): string {
    const key = this.keys[0]!
    const now = Math.floor(Date.now() / 1000)
    const header = { alg: 'RS256', typ: 'JWT', kid: key.kid }
    const payload = {
      ...claims,
      iss: this.opts.issuer,
      aud: this.opts.audience,
      iat: now,
      exp: now + this.opts.ttlSeconds,
      jti: randomUUID(),
    }
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
    const signature = createSign('RSA-SHA256').update(input).sign(key.privateKey).toString('base64url')
    return `${input}.${signature}`
  }
}

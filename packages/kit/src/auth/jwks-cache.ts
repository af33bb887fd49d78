import { createPublicKey, type JsonWebKey } from 'node:crypto'

export interface Jwk extends JsonWebKey { kid?: string; alg?: string; use?: string }
export interface JwkSet { keys: Jwk[] }

export interface JwksCacheOptions {
  /** Where the key set is fetched from (the user service's `/.well-known/jwks.json`). */
  url?: string
  /** A fixed key set instead of a URL (tests, or keys mounted from a Secret). */
  keys?: JwkSet
  /** How long a fetched set is trusted before it is fetched again. */
  maxAgeMs?: number
  /** The least time between two fetches caused by unknown `kid`s, so forged kids can't flood the issuer. */
  minRefetchIntervalMs?: number
  fetchTimeoutMs?: number
}

/**
 * Public keys by `kid`, fetched from a JWKS URL, cached, and refetched when an
 * unknown kid shows up (key rotation) — at most once per interval.
 *
 * @example
 * const jwks = new JwksCache({ url: 'http://127.0.0.1:8081/.well-known/jwks.json' })
 * const pem = await jwks.getPublicKey(kid)
 */
export class JwksCache {
  private pems = new Map<string, string>()
  private fetchedAt = 0
  private lastFetchAttempt = 0
  private inflight: Promise<void> | undefined

  constructor(private readonly options: JwksCacheOptions) {
    if (!options.url && !options.keys) throw new Error('JwksCache needs a url or keys')
    if (options.keys) this.load(options.keys)
  }

  async getPublicKey(kid: string | undefined): Promise<string | undefined> {
    if (!kid) return undefined
    const maxAge = this.options.maxAgeMs ?? 5 * 60_000
    const stale = this.options.url && Date.now() - this.fetchedAt > maxAge
    if (stale) await this.refresh().catch(() => undefined)
    let pem = this.pems.get(kid)
    if (!pem && this.options.url && Date.now() - this.lastFetchAttempt > (this.options.minRefetchIntervalMs ?? 10_000)) {
      await this.refresh()
      pem = this.pems.get(kid)
    }
    return pem
  }

  /** Fetches the set now; concurrent callers share one request. */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => { this.inflight = undefined })
    return this.inflight
  }

  private async fetchKeys() {
    this.lastFetchAttempt = Date.now()
    const response = await fetch(this.options.url!, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 3000) })
    if (!response.ok) throw new Error(`JWKS fetch answered ${response.status}`)
    this.load((await response.json()) as JwkSet)
    this.fetchedAt = Date.now()
  }

  private load(set: JwkSet) {
    const next = new Map<string, string>()
    for (const jwk of set.keys ?? []) {
      // Only RSA signing keys: a set cannot smuggle in an HMAC secret or an EC key for RS256 tokens.
      if (!jwk.kid || jwk.kty !== 'RSA' || (jwk.use && jwk.use !== 'sig')) continue
      next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString())
    }
    this.pems = next
  }
}

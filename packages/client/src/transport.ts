import { LmsProblemError, problemFromStatus } from './errors.js'
import type { Problem, TokenGrant } from './types.js'

/** What the client keeps between calls: the access token and the refresh token of one session. */
export interface Tokens { accessToken: string; refreshToken: string }

/**
 * Where tokens live (memory by default). Give your own to persist a session
 * (localStorage, a cookie jar, a secure store) or to share it between tabs.
 *
 * @example
 * const storage: TokenStorage = {
 *   get: () => JSON.parse(localStorage.getItem('lms') ?? 'null'),
 *   set: (t) => (t ? localStorage.setItem('lms', JSON.stringify(t)) : localStorage.removeItem('lms')),
 * }
 */
export interface TokenStorage {
  get(): Tokens | null | Promise<Tokens | null>
  set(tokens: Tokens | null): void | Promise<void>
}

/** An in-memory TokenStorage. */
export function memoryTokenStorage(initial: Tokens | null = null): TokenStorage {
  let tokens = initial
  return { get: () => tokens, set: (next) => { tokens = next } }
}

export interface ClientOptions {
  /** Origin of the gateway, e.g. `https://lms.example.com` (the client adds `/api/v1`). */
  baseUrl: string
  /** Defaults to memory. */
  tokens?: TokenStorage
  /** Defaults to the global fetch; pass one to add headers, log or count requests. */
  fetch?: typeof fetch
  /** Called when a refresh fails and the session is gone (send the user to the login page). */
  onSessionExpired?: () => void
}

export interface RequestOptions {
  signal?: AbortSignal
}

/** Optimistic concurrency: the `version` of the resource you read (or its ETag). */
export interface WriteOptions extends RequestOptions {
  ifMatch?: number | string
}

type Query = Record<string, string | number | boolean | undefined | null>

export interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  query?: Query | undefined
  body?: unknown
  /** Sends the bearer token and refreshes it on 401 (default true). */
  auth?: boolean
  headers?: Record<string, string>
  signal?: AbortSignal | undefined
  ifMatch?: number | string | undefined
  /** `json` (default) or `bytes` for binary answers (a certificate PDF). */
  as?: 'json' | 'bytes'
}

/** Builds `path?query` dropping undefined and null values. */
export function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

/** The transport under every method: JSON in and out, problem+json errors, bearer tokens with single-flight refresh. */
export class Transport {
  readonly baseUrl: string
  readonly storage: TokenStorage
  private readonly fetchImpl: typeof fetch
  private readonly onSessionExpired: (() => void) | undefined
  private refreshing: Promise<Tokens | null> | undefined

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.storage = opts.tokens ?? memoryTokenStorage()
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.onSessionExpired = opts.onSessionExpired
  }

  async request<T>(call: Call): Promise<T> {
    const res = await this.send(call)
    return this.read<T>(res, call)
  }

  /**
   * Sends a call and answers the raw Response once it is not a 401 that a
   * refresh can cure. Throws LmsProblemError for any other non-2xx.
   */
  async send(call: Call): Promise<Response> {
    const auth = call.auth ?? true
    const tokens = auth ? await this.storage.get() : null
    let res = await this.fetchOnce(call, tokens?.accessToken)
    if (res.status === 401 && auth && tokens) {
      const fresh = await this.refreshAfter(tokens.accessToken)
      if (fresh) {
        await res.body?.cancel()
        res = await this.fetchOnce(call, fresh.accessToken)
      }
    }
    if (!res.ok) throw await this.problem(res, call.path)
    return res
  }

  /**
   * The access token `stale` was refused. If another call already refreshed,
   * use its tokens; otherwise refresh once for everyone waiting (single-flight).
   */
  async refreshAfter(stale: string): Promise<Tokens | null> {
    const current = await this.storage.get()
    if (!current) return null
    if (current.accessToken !== stale) return current
    this.refreshing ??= this.refresh(current.refreshToken).finally(() => { this.refreshing = undefined })
    return this.refreshing
  }

  private async refresh(refreshToken: string): Promise<Tokens | null> {
    const res = await this.fetchOnce({ method: 'POST', path: '/auth/refresh', body: { refreshToken }, auth: false }, undefined)
    if (!res.ok) {
      await res.body?.cancel()
      await this.storage.set(null)
      this.onSessionExpired?.()
      return null
    }
    const grant = (await res.json()) as TokenGrant
    const tokens = { accessToken: grant.accessToken, refreshToken: grant.refreshToken }
    await this.storage.set(tokens)
    return tokens
  }

  private fetchOnce(call: Call, accessToken: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept: call.as === 'bytes' ? 'application/pdf' : 'application/json', ...call.headers }
    if (accessToken) headers.authorization = `Bearer ${accessToken}`
    if (call.ifMatch !== undefined) headers['if-match'] = typeof call.ifMatch === 'number' ? `W/"${call.ifMatch}"` : call.ifMatch
    const init: RequestInit = { method: call.method ?? 'GET', headers }
    if (typeof FormData !== 'undefined' && call.body instanceof FormData) {
      init.body = call.body // fetch sets the multipart boundary
    } else if (call.body !== undefined) {
      headers['content-type'] = 'application/json'
      init.body = JSON.stringify(call.body)
    }
    if (call.signal) init.signal = call.signal
    return this.fetchImpl(`${this.baseUrl}/api/v1${withQuery(call.path, call.query)}`, init)
  }

  private async read<T>(res: Response, call: Call): Promise<T> {
    if (call.as === 'bytes') return new Uint8Array(await res.arrayBuffer()) as T
    if (res.status === 204) return undefined as T
    const text = await res.text()
    return (text ? JSON.parse(text) : undefined) as T
  }

  async problem(res: Response, path: string): Promise<LmsProblemError> {
    const text = await res.text().catch(() => '')
    const type = res.headers.get('content-type') ?? ''
    if (type.includes('json')) {
      try {
        const body = JSON.parse(text) as Problem & Record<string, unknown>
        if (typeof body === 'object' && body && typeof body.status === 'number') return new LmsProblemError(body)
      } catch { /* not JSON after all: fall through */ }
    }
    return new LmsProblemError(problemFromStatus(res.status, res.statusText, path, text))
  }
}

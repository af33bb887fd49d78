import { AppError, problem, sendProblem } from '@lms/kit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Readable, type Duplex } from 'node:stream'
import { Pool, type Dispatcher } from 'undici'
import { gatewayErrors } from '../errors.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import { forwardHeaders, responseHeaders } from './forward-headers.js'

declare module 'fastify' {
  interface FastifyRequest {
    bodyTooLarge?: boolean
  }
}

export interface UpstreamClientOptions {
  name: string
  url: string
  breaker: CircuitBreaker
  timeoutMs: number
  connectTimeoutMs: number
  connections: number
  /** Headers added to every answer unless the service sends its own (the security headers). */
  responseHeaders?: Record<string, string>
  /** Time to response headers (or failure), in seconds, with the status (0 for a failure). */
  observe: (status: number, seconds: number) => void
}

export interface ForwardOptions {
  /** Longest silence within a response body (0: none, for streams). */
  bodyTimeoutMs?: number
  /** Sees the upstream's status before the client does (the login's failure count). */
  onStatus?: (request: FastifyRequest, status: number) => void
}

interface UpgradeTarget { socket: Duplex; head: Buffer }

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])
const TIMEOUT_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/**
 * One service behind the gateway: an undici pool, its circuit breaker and
 * timeouts. `forward` sends a request through `Pool.dispatch` and writes the
 * answer straight to the client's socket — no stream objects or async
 * resources per request — keeping Fastify's reply headers (request id, rate
 * limit) and its onResponse hooks (the reply is hijacked only once the
 * upstream's headers are in). WebSocket upgrades are tunnelled byte for byte.
 *
 * @example
 * const user = new UpstreamClient({ name: 'user', url, breaker, timeoutMs: 10_000, connectTimeoutMs: 1_000, connections: 128, observe })
 * app.get('/api/v1/users/*', (request, reply) => { user.forward(request, reply); return reply })
 */
export class UpstreamClient {
  readonly name: string
  readonly fixedHeaders: Record<string, string>
  private readonly pool: Pool

  constructor(private readonly options: UpstreamClientOptions) {
    this.name = options.name
    this.fixedHeaders = options.responseHeaders ?? {}
    this.pool = new Pool(options.url, {
      connections: options.connections,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    })
  }

  /**
   * Sends the request on and its answer back, unless its path has a dot segment (400) or the circuit
   * is open (503 with Retry-After). The path is checked first: a refusal that never goes upstream
   * must not take the half-open circuit's one probe, which nothing would then settle.
   */
  forward(request: FastifyRequest, reply: FastifyReply, opts: ForwardOptions = {}, upgrade?: UpgradeTarget): void {
    if (hasDotSegment(request.url)) {
      reply.send(gatewayErrors.GW_ERR_BAD_PATH())
      return
    }
    const { breaker } = this.options
    if (!breaker.tryAcquire()) {
      const error = gatewayErrors.GW_ERR_CIRCUIT_OPEN()
      reply.send(new AppError(error.code, error.status, error.message, { upstream: this.name }, { 'retry-after': String(breaker.retryAfterSeconds()) }))
      return
    }
    const body = request.body as Readable | Buffer | undefined
    const dispatch: Dispatcher.DispatchOptions = {
      method: request.method as Dispatcher.HttpMethod,
      path: request.url,
      headers: forwardHeaders(request),
      body: body ?? null,
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: opts.bodyTimeoutMs ?? this.options.timeoutMs,
      ...(upgrade ? { upgrade: 'websocket' } : {}),
    }
    const errorListeners = body instanceof Readable ? body.listenerCount('error') : 0
    this.pool.dispatch(dispatch, new Exchange(this, request, reply, opts.onStatus, upgrade, errorListeners))
  }

  /**
   * Records the outcome of a request in the breaker and the histogram. A 503 that carries
   * Retry-After is a service shedding load on purpose (bcrypt admission in the user service),
   * answered quickly: it does not count as a failure, or a burst on one route would pause all.
   */
  settle(status: number, startedAt: bigint, shedding = false): void {
    this.options.observe(status, Number(process.hrtime.bigint() - startedAt) / 1e9)
    if (status === 0 || (status >= 502 && status <= 504 && !shedding)) this.options.breaker.onFailure()
    else this.options.breaker.onSuccess()
  }

  close(): Promise<void> {
    return this.pool.destroy()
  }
}

/**
 * One request's trip upstream and back: undici's dispatch handler. It lets the client's request and
 * reply go as soon as they are answered: undici leaves an 'error' listener on a streamed request body
 * that reaches its handler, and Node keeps a keep-alive connection's last request until the next one
 * arrives, so an idle connection would otherwise hold its last Fastify request, reply and response.
 */
class Exchange implements Dispatcher.DispatchHandlers {
  private readonly startedAt = process.hrtime.bigint()
  private abort: ((error?: Error) => void) | undefined
  private started = false
  private clientGone = false
  private resume: (() => void) | undefined

  constructor(
    private readonly upstream: UpstreamClient,
    private request: FastifyRequest | undefined,
    private reply: FastifyReply | undefined,
    private readonly onStatus: ForwardOptions['onStatus'],
    private readonly upgrade: UpgradeTarget | undefined,
    /** How many 'error' listeners the request body had before undici added its own. */
    private readonly bodyErrorListeners: number,
  ) {}

  /** Done with the client: nothing after this reaches it (the 'close' listener included). */
  private finish(): void {
    const body = this.request?.body
    if (body instanceof Readable && (body.readableEnded || body.destroyed)) {
      // undici's writer is done with the body; its 'error' listener would keep the writer, the request
      // line and headers it wrote, and this exchange. A body still flowing (a service that answered
      // before reading it all) keeps it: an 'error' without a listener would throw.
      for (const listener of body.listeners('error').slice(this.bodyErrorListeners)) body.removeListener('error', listener as () => void)
    }
    this.request = undefined
    this.reply = undefined
    this.abort = undefined
    this.resume = undefined
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort
    if (this.started || !this.reply) return
    this.reply.raw.once('close', () => {
      if (!this.reply) return
      this.clientGone = true
      const stop = this.abort
      this.finish()
      stop?.(new Error('the client went away'))
    })
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const { request, reply } = this
    if (this.started || !request || !reply) return true
    this.started = true
    const upstreamHeaders = responseHeaders(rawHeaders)
    this.upstream.settle(statusCode, this.startedAt, statusCode === 503 && upstreamHeaders['retry-after'] !== undefined)
    this.onStatus?.(request, statusCode)
    // One object for writeHead: nothing is set on the raw response before, so Node takes it as is.
    const headers = Object.assign({}, this.upstream.fixedHeaders, reply.getHeaders(), upstreamHeaders)
    reply.hijack()
    reply.raw.writeHead(statusCode, headers)
    this.resume = resume
    return true
  }

  onData(chunk: Buffer): boolean {
    const res = this.reply?.raw
    if (!res || res.write(chunk)) return true
    res.once('drain', this.resume!)
    return false
  }

  onComplete(): void {
    const reply = this.reply
    this.finish()
    reply?.raw.end()
  }

  onUpgrade(statusCode: number, rawHeaders: Buffer[] | string[] | null, socket: Duplex): void {
    this.started = true
    const reply = this.reply
    this.finish()
    this.upstream.settle(statusCode, this.startedAt)
    const target = this.upgrade!
    reply?.hijack()
    const lines = [`HTTP/1.1 ${statusCode} Switching Protocols`]
    const raw = rawHeaders ?? []
    for (let i = 0; i < raw.length; i += 2) lines.push(`${raw[i]!.toString()}: ${raw[i + 1]!.toString()}`)
    target.socket.write(`${lines.join('\r\n')}\r\n\r\n`)
    if (target.head.length > 0) socket.write(target.head)
    const close = () => {
      socket.destroy()
      target.socket.destroy()
    }
    socket.on('error', close).on('close', close)
    target.socket.on('error', close).on('close', close)
    socket.pipe(target.socket).pipe(socket)
  }

  onError(error: Error & { code?: string; cause?: { code?: string } }): void {
    const { request, reply } = this
    this.finish()
    // Not the service's fault: the breaker hears nothing, as with a probe whose client left.
    if (this.clientGone || !request || !reply) return
    if (this.started) {
      // The status line is out (and counted): all that is left is to cut the response short.
      reply.raw.destroy(error)
      return
    }
    this.upstream.settle(0, this.startedAt)
    if (reply.raw.destroyed) return
    if (request.bodyTooLarge) {
      const tooLarge = gatewayErrors.GW_ERR_BODY_TOO_LARGE()
      sendProblem(reply, problem(413, tooLarge.message, request.url, { code: tooLarge.code }))
      return
    }
    const cause = error.code ?? error.cause?.code ?? ''
    const failure = TIMEOUT_ERRORS.has(cause)
      ? gatewayErrors.GW_ERR_UPSTREAM_TIMEOUT()
      : CONNECT_ERRORS.has(cause)
        ? gatewayErrors.GW_ERR_UPSTREAM_UNAVAILABLE()
        : gatewayErrors.GW_ERR_UPSTREAM_FAILED()
    request.log.warn({ upstream: this.upstream.name, cause, status: failure.status }, 'upstream request failed')
    sendProblem(reply, problem(failure.status, failure.message, request.url, { code: failure.code, upstream: this.upstream.name }))
  }
}

/** `..` as a path segment, also percent-encoded: the service must not resolve it to another route. */
function hasDotSegment(url: string): boolean {
  if (!url.includes('..') && !url.includes('%')) return false
  const query = url.indexOf('?')
  let path = query === -1 ? url : url.slice(0, query)
  try {
    path = decodeURIComponent(path)
  } catch {
    return true
  }
  return path === '..' || path.includes('/..') || path.includes('../')
}

import { EventEmitter } from 'node:events'
import amqp, { type ChannelModel } from 'amqplib'
import { type Logger, silentLogger } from './logger.js'

/** Options of {@link AmqpConnection}. */
export interface AmqpConnectionOptions {
  url: string
  /** Connection name shown in the management UI. */
  name?: string
  logger?: Logger
  /** Reconnect backoff: first delay, cap (ms). Full jitter is applied. */
  minDelayMs?: number
  maxDelayMs?: number
  heartbeatSeconds?: number
}

/** Runs on every (re)connect: declare topology, open channels, start consuming. */
export type ConnectionSetup = (connection: ChannelModel) => Promise<void>

/**
 * A reconnecting amqplib connection. Setups registered with {@link AmqpConnection.onConnect}
 * run after every (re)connect, so topology and consumers come back after a broker restart.
 * Emits 'connect', 'disconnect' (with the error, if any) and 'error'.
 *
 * @example
 * const connection = new AmqpConnection({ url: config.AMQP_URL, name: 'enrollment', logger })
 * await connection.start()
 * // ... on shutdown
 * await connection.close()
 */
export class AmqpConnection extends EventEmitter {
  private current: ChannelModel | undefined
  private readonly setups = new Set<ConnectionSetup>()
  private closing = false
  private attempt = 0
  private timer: NodeJS.Timeout | undefined
  private connecting: Promise<void> | undefined
  private readonly logger: Logger
  private waiters: Array<(c: ChannelModel) => void> = []

  constructor(private readonly options: AmqpConnectionOptions) {
    super()
    this.logger = options.logger ?? silentLogger
    // 'error' without listeners would crash the process; a broker outage is expected.
    this.on('error', () => {})
  }

  /** The live connection, if any. */
  get connection(): ChannelModel | undefined {
    return this.current
  }

  /** Connects (retrying with backoff until it succeeds or {@link close} is called). */
  start(): Promise<void> {
    this.closing = false
    if (this.current) return Promise.resolve()
    this.connecting ??= this.connectLoop().finally(() => {
      this.connecting = undefined
    })
    return this.connecting
  }

  /** Registers a setup that runs now (if connected) and after every reconnect; returns an unregister function. */
  async onConnect(setup: ConnectionSetup): Promise<() => void> {
    this.setups.add(setup)
    if (this.current) await setup(this.current)
    return () => this.setups.delete(setup)
  }

  /** Resolves with a live connection, waiting up to `timeoutMs` for a reconnect. */
  waitForConnection(timeoutMs: number): Promise<ChannelModel> {
    if (this.current) return Promise.resolve(this.current)
    if (this.closing) return Promise.reject(new Error('AMQP connection closed'))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        reject(new Error(`AMQP broker unavailable for ${timeoutMs} ms`))
      }, timeoutMs)
      const waiter = (c: ChannelModel) => {
        clearTimeout(timer)
        resolve(c)
      }
      this.waiters.push(waiter)
    })
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    this.closing = true
    clearTimeout(this.timer)
    const c = this.current
    this.current = undefined
    if (c) await c.close().catch(() => {})
  }

  private delay(): number {
    const min = this.options.minDelayMs ?? 100
    const max = this.options.maxDelayMs ?? 10_000
    const cap = Math.min(max, min * 2 ** Math.min(this.attempt, 16))
    return Math.round(min + Math.random() * (cap - min))
  }

  private async connectLoop(): Promise<void> {
    while (!this.closing) {
      try {
        const c = await amqp.connect(this.options.url, {
          clientProperties: { connection_name: this.options.name ?? 'lms-events' },
          heartbeat: this.options.heartbeatSeconds ?? 10,
          // amqplib leaves Nagle on: a publish or ack then waits for the previous segment's
          // delayed ACK, ~25 ms per hop on loopback (bench: bare confirm p50 26 ms → 2 ms).
          noDelay: true,
        } as never)
        c.on('error', (err: Error) => {
          this.logger.warn({ err }, 'amqp connection error')
          this.emit('error', err)
        })
        c.on('close', (err?: Error) => this.handleClose(c, err))
        if (this.closing) {
          await c.close().catch(() => {})
          return
        }
        this.current = c
        for (const setup of [...this.setups]) await setup(c)
        this.attempt = 0
        this.logger.info({ name: this.options.name }, 'amqp connected')
        this.emit('connect', c)
        const waiters = this.waiters
        this.waiters = []
        for (const w of waiters) w(c)
        return
      } catch (err) {
        if (this.current) {
          const c = this.current
          this.current = undefined
          await c.close().catch(() => {})
        }
        const wait = this.delay()
        this.attempt++
        this.logger.warn({ err, retryInMs: wait }, 'amqp connect failed')
        await new Promise<void>((r) => {
          this.timer = setTimeout(r, wait)
        })
      }
    }
  }

  private handleClose(c: ChannelModel, err?: Error): void {
    if (this.current !== c) return
    this.current = undefined
    this.emit('disconnect', err)
    if (this.closing) return
    this.logger.warn({ err }, 'amqp connection lost; reconnecting')
    void this.start()
  }
}

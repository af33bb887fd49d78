import type { FastifyInstance } from 'fastify'

export interface RunServerOptions {
  port: number
  host: string
  shutdownTimeoutMs: number
  /** Called after the server stopped accepting and finished in-flight requests (stop consumers, flush outbox, spans). */
  onShutdown?: () => Promise<void>
}

/**
 * Listens and shuts down gracefully on SIGINT/SIGTERM: stop accepting, finish
 * in-flight requests, then `onShutdown`; exits non-zero when that overruns.
 *
 * @example
 * await runServer(app, { port: 8081, host: '0.0.0.0', shutdownTimeoutMs: 10_000 })
 */
export async function runServer(app: FastifyInstance, opts: RunServerOptions): Promise<void> {
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out; exiting')
      process.exit(1)
    }, opts.shutdownTimeoutMs)
    timer.unref()
    try {
      await app.close()
      await opts.onShutdown?.()
      process.exit(0)
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed')
      process.exit(1)
    }
  }
  process.once('SIGINT', () => void shutdown('SIGINT'))
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  await app.listen({ port: opts.port, host: opts.host })
}

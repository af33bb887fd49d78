import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export type HealthCheck = () => Promise<unknown>

declare module 'fastify' {
  interface FastifyInstance {
    /** Adds a dependency that /health/ready must reach. */
    addReadinessCheck(name: string, check: HealthCheck): void
  }
}

const CHECK_TIMEOUT_MS = 2000

function withTimeout(check: HealthCheck): Promise<unknown> {
  return Promise.race([
    check(),
    new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref()),
  ])
}

/** `/health/live` (the process answers) and `/health/ready` (every dependency answers). */
export const healthPlugin = fp(
  async function healthPlugin(app: FastifyInstance) {
    const checks = new Map<string, HealthCheck>()
    let closing = false
    app.decorate('addReadinessCheck', (name: string, check: HealthCheck) => { checks.set(name, check) })
    app.addHook('preClose', async () => { closing = true })
    app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }))
    app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
      const results: Record<string, string> = {}
      await Promise.all(
        [...checks].map(async ([name, check]) => {
          try {
            await withTimeout(check)
            results[name] = 'ok'
          } catch (error) {
            results[name] = `down: ${(error as Error).message}`
          }
        }),
      )
      const ready = !closing && Object.values(results).every((r) => r === 'ok')
      reply.code(ready ? 200 : 503)
      return { status: ready ? 'ok' : closing ? 'closing' : 'degraded', checks: results }
    })
  },
  { name: '@lms/kit/health' },
)

import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's Prometheus registry; services register their business counters on it. */
    metrics: Registry
  }
  interface FastifyRequest {
    startedAt?: bigint
  }
}

export interface MetricsOptions { service: string; registry?: Registry }

/** `/metrics` with default process metrics and `http_request_duration_seconds{method,route,status_code}`. */
export const metricsPlugin = fp(
  async function metricsPlugin(app: FastifyInstance, opts: MetricsOptions) {
    const registry = opts.registry ?? new Registry()
    registry.setDefaultLabels({ service: opts.service })
    collectDefaultMetrics({ register: registry })
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    })
    app.decorate('metrics', registry)
    app.addHook('onRequest', (request, _reply, done) => {
      request.startedAt = process.hrtime.bigint()
      done()
    })
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched'
      if (request.startedAt !== undefined && route !== '/metrics' && !route.startsWith('/health')) {
        const seconds = Number(process.hrtime.bigint() - request.startedAt) / 1e9
        duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, seconds)
      }
      done()
    })
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.type(registry.contentType)
      return registry.metrics()
    })
  },
  { name: '@lms/kit/metrics' },
)

import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import Fastify from 'fastify'

/**
 * The response headers @fastify/helmet sets with `options`, computed once on
 * a throwaway instance. The plugin rebuilds helmet's whole middleware chain
 * (CSP parsing included) on every request although, with static options, the
 * result never changes; the gateway sets this list instead.
 *
 * @example
 * const headers = await securityHeaders({ crossOriginResourcePolicy: { policy: 'same-site' } })
 * app.addHook('onSend', (request, reply, payload, done) => { for (const [name, value] of headers) reply.raw.setHeader(name, value); done(null, payload) })
 */
export async function securityHeaders(options: FastifyHelmetOptions): Promise<Array<[string, string]>> {
  const probe = Fastify({ logger: false })
  let headers: Record<string, unknown> = {}
  await probe.register(helmet, { ...options, global: true })
  probe.get('/', (_request, reply) => {
    headers = reply.raw.getHeaders()
    return reply.send()
  })
  await probe.inject('/')
  await probe.close()
  return Object.entries(headers).map(([name, value]) => [name, String(value)])
}

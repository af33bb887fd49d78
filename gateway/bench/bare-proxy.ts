// The reference the gateway bench compares against: a bare @fastify/http-proxy (no auth, no
// hooks, logger off) in front of the same upstream. Spawned by gateway.bench.ts, pinned like the gateway.
// Env: UPSTREAM_URL, PORT.
import httpProxy from '@fastify/http-proxy'
import Fastify from 'fastify'

const app = Fastify({ logger: false })
await app.register(httpProxy, { upstream: process.env.UPSTREAM_URL! })
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)))

import { createApp, createRedis, type App } from '@lms/kit'
import { generateSigningKey, randomName, signTestToken, testEnv, type TestSigningKey } from '@lms/kit/testing'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { buildGateway, DEFAULT_RATE_LIMIT, type GatewayOptions } from '../src/app.js'
import { UPSTREAM_NAMES, type UpstreamName } from '../src/proxy/upstreams.js'

export const ISSUER = 'lms-user-service'
export const AUDIENCE = 'lms'

/** A port nothing listens on: connections to it are refused at once. */
export const DEAD_URL = 'http://127.0.0.1:9'

export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

/**
 * A real HTTP server standing in for one service: it answers every path with
 * what it received (service name, method, url, headers, body), serves the
 * JWKS when it plays the user service, and takes extra routes per test.
 */
export async function startStandIn(t: Test, service: string, setup?: (app: FastifyInstance) => void | Promise<void>, key?: TestSigningKey) {
  const app = Fastify({ logger: false })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body))
  if (key) app.get('/.well-known/jwks.json', async () => ({ keys: [key.publicJwk] }))
  await setup?.(app)
  app.all('/*', async (request) => ({ service, method: request.method, url: request.url, headers: request.headers, body: request.body ?? null }))
  const url = await listen(app)
  t.teardown(() => app.close())
  return { app, url }
}

export interface Harness {
  gateway: App
  redis: Redis
  key: TestSigningKey
  prefix: string
  upstreams: Record<UpstreamName, string>
  /** A valid token of a live session (the session key is written to Redis). */
  login(claims?: { sub?: string; role?: string; sid?: string }): Promise<{ token: string; sid: string; sub: string }>
  sessionKey(sid: string): string
}

export interface BuildOptions extends Partial<Omit<GatewayOptions, 'redis' | 'upstreams'>> {
  upstreams?: Partial<Record<UpstreamName, string>>
  /** Extra routes on the user stand-in (e.g. a login that answers 401). */
  userRoutes?: (app: FastifyInstance) => void | Promise<void>
}

/** Builds a gateway over real stand-in upstreams and real Redis with a key prefix of its own; torn down after the test. */
export async function build(t: Test, options: BuildOptions = {}): Promise<Harness> {
  const { redisUrl } = await testEnv()
  const redis = createRedis(redisUrl, 'gateway-test')
  const prefix = `${randomName('gwtest')}:`
  const key = sharedKey
  const upstreams = {} as Record<UpstreamName, string>
  for (const name of UPSTREAM_NAMES) {
    upstreams[name] = options.upstreams?.[name]
      ?? (await startStandIn(t, name, name === 'user' ? options.userRoutes : undefined, name === 'user' ? key : undefined)).url
  }
  const { upstreams: _ignored, userRoutes: _routes, ...rest } = options
  const gateway = await buildGateway({
    redis,
    keyPrefix: prefix,
    sessionKeyPrefix: `${prefix}session:`,
    upstreams,
    jwks: { url: `${upstreams.user}/.well-known/jwks.json` },
    issuer: ISSUER,
    audience: AUDIENCE,
    logLevel: 'silent',
    rateLimit: DEFAULT_RATE_LIMIT,
    upstreamTimeoutMs: 2_000,
    ...rest,
  })
  t.teardown(async () => {
    await gateway.close()
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })
  const sessionKey = (sid: string) => `${prefix}session:${sid}`
  return {
    gateway,
    redis,
    key,
    prefix,
    upstreams,
    sessionKey,
    async login(claims = {}) {
      const sid = claims.sid ?? randomUUID()
      const sub = claims.sub ?? randomUUID()
      await redis.set(sessionKey(sid), sub, 'EX', 900)
      return { token: signTestToken(key, { sub, role: claims.role ?? 'student', sid }, { issuer: ISSUER, audience: AUDIENCE }), sid, sub }
    },
  }
}

const sharedKey = generateSigningKey()

/** A stand-in built with the kit, so it answers bad input exactly as a real service does. */
export async function startKitStandIn(t: Test): Promise<{ app: App; url: string }> {
  const app = await createApp({ service: 'standin', logLevel: 'silent' })
  const { default: Type } = await import('typebox')
  app.post('/api/v1/courses', { schema: { body: Type.Object({ title: Type.String() }, { additionalProperties: false }) } }, async (request, reply) => {
    reply.code(201)
    return request.body
  })
  const url = await listen(app)
  t.teardown(() => app.close())
  return { app, url }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

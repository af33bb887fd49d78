// Stands in for the user service until its bench helper exists: same token
// checks as a real service (kit auth over the JWKS, session in Redis) and a
// profile read; without the database query the real one adds.
import { createApp, createRedis, type JwkSet } from '@lms/kit'

const keys = JSON.parse(process.env.BENCH_JWKS!) as JwkSet
const redis = createRedis(process.env.REDIS_URL!, 'bench-user-stand-in')
const sessionPrefix = process.env.SESSION_KEY_PREFIX!
const app = await createApp({
  service: 'user',
  logLevel: 'warn',
  auth: {
    jwks: { keys },
    issuer: 'lms-user-service',
    audience: 'lms',
    isSessionActive: async (sid) => (await redis.exists(sessionPrefix + sid)) === 1,
  },
})
app.get('/.well-known/jwks.json', async () => keys)
app.get('/api/v1/users/profile', { preHandler: app.authenticate }, async (request) => ({
  id: request.user.id,
  email: 'bench@example.com',
  fullName: 'Bench User',
  role: request.user.role,
  createdAt: '2026-01-01T00:00:00.000Z',
}))
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })

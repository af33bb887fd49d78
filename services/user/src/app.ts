import type { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import { Counter } from 'prom-client'
import { createApp, pingPostgres, type App } from '@lms/kit'
import { auditRoutes } from './audit/routes.js'
import { authRoutes } from './auth/routes.js'
import { createAuthService } from './auth/service.js'
import type { UserConfig } from './config.js'
import type { Database } from './database.js'
import { createSessionService } from './sessions/service.js'
import { jwksRoutes } from './tokens/routes.js'
import { TokenSigner, type SigningKey } from './tokens/signing-keys.js'
import { createPasswords } from './users/passwords.js'
import { userRoutes } from './users/routes.js'
import { createUserService } from './users/service.js'

export type AppConfig = Pick<UserConfig,
  'LOG_LEVEL' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'ACCESS_TOKEN_TTL_SECONDS' | 'REFRESH_TOKEN_TTL_SECONDS' | 'BCRYPT_COST' | 'PASSWORD_MIN_LENGTH' | 'PASSWORD_MAX_WAIT_MS'>

export interface AppDeps {
  config: AppConfig
  db: Kysely<Database>
  redis: Redis
  keys: SigningKey[]
  /** Extra readiness checks (the broker, owned by main.ts). */
  readiness?: Record<string, () => Promise<unknown>>
}

/**
 * The user service as an app that never listens: kit defaults → services →
 * routes. Tests build it on real PostgreSQL and Redis.
 */
export async function buildApp(deps: AppDeps): Promise<App & { services: ReturnType<typeof createServices> }> {
  const signer = new TokenSigner(deps.keys, {
    issuer: deps.config.JWT_ISSUER, audience: deps.config.JWT_AUDIENCE, ttlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS,
  })
  const sessions = createSessionService({ db: deps.db, redis: deps.redis, refreshTtlSeconds: deps.config.REFRESH_TOKEN_TTL_SECONDS })
  const app = await createApp({
    service: 'user',
    logLevel: deps.config.LOG_LEVEL,
    auth: {
      jwks: { keys: signer.jwks() },
      issuer: deps.config.JWT_ISSUER,
      audience: deps.config.JWT_AUDIENCE,
      isSessionActive: (sid) => sessions.isActive(sid),
    },
  })
  const registered = new Counter({ name: 'lms_users_registered_total', help: 'Accounts created', registers: [app.metrics] })
  const services = createServices(deps, signer, sessions, () => registered.inc())

  app.addReadinessCheck('postgres', () => pingPostgres(deps.db))
  app.addReadinessCheck('redis', () => deps.redis.ping())
  for (const [name, check] of Object.entries(deps.readiness ?? {})) app.addReadinessCheck(name, check)

  await app.register(jwksRoutes, { signer })
  await app.register(authRoutes, { auth: services.auth })
  await app.register(userRoutes, { users: services.users })
  await app.register(auditRoutes, { db: deps.db })
  return Object.assign(app, { services })
}

function createServices(deps: AppDeps, signer: TokenSigner, sessions: ReturnType<typeof createSessionService>, onRegistered: () => void) {
  const passwords = createPasswords({
    cost: deps.config.BCRYPT_COST, minLength: deps.config.PASSWORD_MIN_LENGTH, maxWaitMs: deps.config.PASSWORD_MAX_WAIT_MS,
  })
  return {
    sessions,
    auth: createAuthService({ db: deps.db, sessions, signer, passwords, onRegistered }),
    users: createUserService({ db: deps.db, sessions, passwords }),
  }
}

import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { kitErrors } from '../errors.js'
import { JwksCache, type JwksCacheOptions } from './jwks-cache.js'

export type Role = 'student' | 'instructor' | 'admin'

/** Who is calling, from a verified access token. */
export interface AuthUser { id: string; role: Role; sid: string; jti: string; exp: number }

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; role: Role; sid: string; jti: string }
    user: AuthUser
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: 401 unless the request carries a valid token of a live session. */
    authenticate: preHandlerAsyncHookHandler
    /** preHandler: 401 without a valid token, 403 unless the caller has one of the roles. */
    requireRole(...roles: Role[]): preHandlerAsyncHookHandler
    /** preHandler: sets request.user when a valid token is present, stays anonymous otherwise. */
    optionalAuth: preHandlerAsyncHookHandler
  }
}

export interface AuthOptions {
  jwks: JwksCacheOptions | JwksCache
  issuer: string
  audience: string
  /** Answers whether a session id is still live (logout, password change and deletion end it). */
  isSessionActive?: (sid: string) => Promise<boolean>
  /**
   * Verified tokens remembered until their `exp` (default 1000, 0 = off): a repeat request skips
   * decoding and the RSA check. Revocation is still checked per request.
   */
  cacheSize?: number
}

const ALGORITHMS = ['RS256']
const CLOCK_TOLERANCE_MS = 5_000

/**
 * Access-token verification with keys from a JWKS (RS256 only; `alg: none`,
 * HS/RS confusion and `jku`/`jwk`/`x5u` headers are ignored), then a session
 * liveness check. Decorates `authenticate`, `optionalAuth` and `requireRole`.
 *
 * @example
 * await app.register(authPlugin, { jwks: { url }, issuer: 'lms-user-service', audience: 'lms' })
 * app.get('/me', { preHandler: app.authenticate }, async (request) => request.user)
 */
export const authPlugin = fp(
  async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
    const jwks = opts.jwks instanceof JwksCache ? opts.jwks : new JwksCache(opts.jwks)
    await app.register(fastifyJwt, {
      secret: {
        private: 'unused-services-never-sign',
        public: (async (_request: FastifyRequest, token: { header?: { kid?: string; alg?: string } }) => {
          if (!token.header || token.header.alg !== 'RS256') throw kitErrors.KIT_ERR_UNAUTHORIZED('The token algorithm is not accepted')
          const pem = await jwks.getPublicKey(token.header.kid)
          if (!pem) throw kitErrors.KIT_ERR_UNAUTHORIZED('The token was signed by an unknown key')
          return pem
        }) as never,
      },
      decode: { complete: true },
      verify: {
        algorithms: ALGORITHMS,
        allowedIss: opts.issuer,
        allowedAud: opts.audience,
        requiredClaims: ['exp', 'iat', 'iss', 'aud', 'sub', 'sid', 'jti'],
        clockTolerance: CLOCK_TOLERANCE_MS,
      } as never,
      formatUser: (payload: Record<string, unknown>) => ({
        id: String(payload.sub),
        role: payload.role as Role,
        sid: String(payload.sid),
        jti: String(payload.jti),
        exp: Number(payload.exp),
      }),
    })

    const verified = new VerifiedTokens(opts.cacheSize ?? 1000)

    async function verify(request: FastifyRequest) {
      const header = request.headers.authorization
      const cached = header === undefined ? undefined : verified.get(header)
      if (cached) request.user = { ...cached }
      else await verifySignature(request, header)
      if (opts.isSessionActive && !(await opts.isSessionActive(request.user.sid))) {
        throw kitErrors.KIT_ERR_UNAUTHORIZED('The session has ended')
      }
    }

    async function verifySignature(request: FastifyRequest, header: string | undefined) {
      try {
        await request.jwtVerify()
      } catch (error) {
        const code = (error as { code?: string }).code
        const detail = code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED'
          ? 'The access token has expired'
          : code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER'
            ? 'A bearer access token is required'
            : 'The access token is not valid'
        throw kitErrors.KIT_ERR_UNAUTHORIZED(detail)
      }
      if (!['student', 'instructor', 'admin'].includes(request.user.role)) throw kitErrors.KIT_ERR_UNAUTHORIZED('The token has no valid role')
      if (header !== undefined) verified.set(header, { ...request.user })
    }

    app.decorate('authenticate', async function authenticate(request: FastifyRequest, _reply: FastifyReply) {
      await verify(request)
    })
    app.decorate('optionalAuth', async function optionalAuth(request: FastifyRequest, _reply: FastifyReply) {
      if (request.headers.authorization) await verify(request)
    })
    app.decorate('requireRole', function requireRole(...roles: Role[]) {
      return async function roleGuard(request: FastifyRequest, _reply: FastifyReply) {
        await verify(request)
        if (!roles.includes(request.user.role)) throw kitErrors.KIT_ERR_FORBIDDEN()
      }
    })
  },
  { name: '@lms/kit/auth' },
)

/**
 * Users of verified `Authorization` headers, kept until the token's `exp` (with
 * the verifier's clock tolerance). A full header string is the key: looking it
 * up costs less than fast-jwt's own cache, which decodes and hashes the token
 * first. The oldest entry goes when the cache is full.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, AuthUser>()

  constructor(private readonly size: number) {}

  get(header: string): AuthUser | undefined {
    const user = this.entries.get(header)
    if (user === undefined) return undefined
    if (user.exp * 1000 + CLOCK_TOLERANCE_MS > Date.now()) return user
    this.entries.delete(header)
    return undefined
  }

  set(header: string, user: AuthUser): void {
    if (this.size <= 0) return
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(header, user)
  }
}

/** True when the caller is the owner or an admin: the rule most routes share. */
export function isSelfOrAdmin(request: FastifyRequest, userId: string): boolean {
  return request.user?.id === userId || request.user?.role === 'admin'
}

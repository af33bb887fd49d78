import type { FastifyRequest } from 'fastify'
import type { Actor } from './service-deps.js'

/** The caller of a request that went through `authenticate`/`optionalAuth`, or null. */
export function actorOf(request: FastifyRequest): Actor {
  const user = request.user as { id?: string; role?: 'student' | 'instructor' | 'admin' } | undefined
  return user?.id && user.role ? { id: user.id, role: user.role } : null
}

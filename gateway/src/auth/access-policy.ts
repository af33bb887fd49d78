/** How the gateway treats a request before it reaches an upstream. */
export type Access = 'open' | 'public' | 'protected'

const READ = new Set(['GET', 'HEAD'])

const PUBLIC_READS = [
  /^\/\.well-known\/jwks\.json$/,
  /^\/api\/v1\/courses\/?$/,
  /^\/api\/v1\/courses\/search\/?$/,
  /^\/api\/v1\/courses\/[^/]+\/?$/,
  /^\/api\/v1\/courses\/[^/]+\/versions(\/[^/]+)*\/?$/,
  /^\/api\/v1\/categories(\/[^/]+)*\/?$/,
  /^\/api\/v1\/certificates\/[^/]+\/?$/,
  /^\/docs(\/.*)?$/,
]

const CREDENTIAL_ROUTES = /^\/api\/v1\/auth\/(register|login|refresh)\/?$/

/** True for the routes that take credentials and so get the stricter per-IP limit. */
export function isCredentialRoute(method: string, path: string): boolean {
  return method === 'POST' && CREDENTIAL_ROUTES.test(path)
}

/**
 * The gateway's allowlist: probes and metrics are `open` (no token, no rate
 * limit), the published reads and credential exchanges are `public` (no
 * token, limited per IP), and everything else is `protected`.
 *
 * @example
 * accessPolicy('GET', '/api/v1/courses') // 'public'
 * accessPolicy('GET', '/api/v1/users/profile') // 'protected'
 */
export function accessPolicy(method: string, path: string): Access {
  if (path === '/metrics' || path === '/health/live' || path === '/health/ready') return 'open'
  if (isCredentialRoute(method, path)) return 'public'
  if (READ.has(method) && PUBLIC_READS.some((pattern) => pattern.test(path))) return 'public'
  return 'protected'
}

/** The path of a request URL without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

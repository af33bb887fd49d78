import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { UpstreamName } from '../proxy/upstreams.js'
import { mergeOpenApi, type OpenApiDocument } from './openapi-merger.js'

export interface DocsOptions {
  upstreams: Record<UpstreamName, string>
  /** How long a merged document is served before the services are asked again. */
  cacheMs: number
  fetchTimeoutMs?: number
}

/**
 * `/docs` (Swagger UI) and `/docs/openapi.json` over the merged OpenAPI of
 * every service that answers, fetched from each `GET /openapi.json` and
 * cached briefly; a service that is down is left out and named.
 */
export const docsPlugin = fp(
  async function docsPlugin(app: FastifyInstance, opts: DocsOptions) {
    let merged: OpenApiDocument | undefined
    let mergedAt = 0
    let inflight: Promise<OpenApiDocument> | undefined

    async function fetchDocument(url: string): Promise<OpenApiDocument> {
      const response = await fetch(new URL('/openapi.json', url), { signal: AbortSignal.timeout(opts.fetchTimeoutMs ?? 2000) })
      if (!response.ok) throw new Error(`answered ${response.status}`)
      return (await response.json()) as OpenApiDocument
    }

    async function build(): Promise<OpenApiDocument> {
      const entries = Object.entries(opts.upstreams) as Array<[UpstreamName, string]>
      const results = await Promise.allSettled(entries.map(([, url]) => fetchDocument(url)))
      const parts: Array<{ service: string; document: OpenApiDocument }> = []
      const unavailable: string[] = []
      results.forEach((result, index) => {
        const service = entries[index]![0]
        if (result.status === 'fulfilled') parts.push({ service, document: result.value })
        else unavailable.push(service)
      })
      merged = mergeOpenApi(app.swagger() as OpenApiDocument, parts, unavailable)
      mergedAt = Date.now()
      return merged
    }

    function current(): Promise<OpenApiDocument> {
      if (merged && Date.now() - mergedAt < opts.cacheMs) return Promise.resolve(merged)
      inflight ??= build().finally(() => { inflight = undefined })
      return inflight
    }

    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true },
      uiHooks: { onRequest: async () => { await current() } },
      transformSpecification: () => merged ?? (app.swagger() as OpenApiDocument),
    })
    app.get('/docs/openapi.json', { schema: { hide: true } }, async () => current())
  },
  { name: 'gateway-docs', dependencies: ['@fastify/swagger'] },
)

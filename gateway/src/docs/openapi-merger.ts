/** The parts of an OpenAPI 3 document the merge touches. */
export interface OpenApiDocument {
  openapi?: string
  info?: { title?: string; version?: string; description?: string }
  paths?: Record<string, Record<string, unknown>>
  components?: Record<string, Record<string, unknown>>
  tags?: Array<{ name: string; description?: string }>
  [key: string]: unknown
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

/**
 * One document from the gateway's own and each service's: paths merged (the
 * first owner of a path wins), each operation tagged with its service unless
 * it has tags, components merged by name (first wins).
 *
 * @example
 * const merged = mergeOpenApi(own, [{ service: 'user', document: userDoc }])
 */
export function mergeOpenApi(base: OpenApiDocument, parts: Array<{ service: string; document: OpenApiDocument }>, unavailable: string[] = []): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = { ...base.paths }
  const components: Record<string, Record<string, unknown>> = {}
  for (const [kind, entries] of Object.entries(base.components ?? {})) components[kind] = { ...entries }
  const tags = [...(base.tags ?? [])]

  for (const { service, document } of parts) {
    if (!tags.some((tag) => tag.name === service)) tags.push({ name: service, description: `${service} service` })
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (paths[path]) continue
      const tagged: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(item)) {
        const operation = value as { tags?: string[] }
        tagged[key] = METHODS.has(key) && value && typeof value === 'object' && !operation.tags?.length ? { ...operation, tags: [service] } : value
      }
      paths[path] = tagged
    }
    for (const [kind, entries] of Object.entries(document.components ?? {})) {
      const target = (components[kind] ??= {})
      for (const [name, value] of Object.entries(entries)) target[name] ??= value
    }
  }

  const description = unavailable.length > 0
    ? `Every LMS service behind the gateway. Not answering right now: ${unavailable.join(', ')}.`
    : 'Every LMS service behind the gateway.'
  return {
    ...base,
    openapi: base.openapi ?? '3.1.0',
    info: { title: 'LMS API', version: base.info?.version ?? '1.0.0', description },
    paths,
    components,
    tags,
    security: [{ bearerAuth: [] }],
  }
}

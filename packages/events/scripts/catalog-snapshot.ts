import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { catalog } from '../src/catalog/index.js'

export const snapshotPath = fileURLToPath(new URL('../catalog.snapshot.json', import.meta.url))

type Json = Record<string, any>

/** The catalog's schemas as plain JSON: `{ [type]: { [version]: schema } }`. */
export function catalogSnapshot(): Record<string, Record<string, Json>> {
  const out: Record<string, Record<string, Json>> = {}
  for (const [type, versions] of Object.entries(catalog)) {
    out[type] = {}
    for (const [version, entry] of Object.entries(versions)) out[type][version] = JSON.parse(JSON.stringify(entry.schema))
  }
  return out
}

export function readSnapshot(): Record<string, Record<string, Json>> {
  return JSON.parse(readFileSync(snapshotPath, 'utf8'))
}

/** Breaking differences between a committed schema and the current one (within one version only optional fields may be added). */
export function breakingChanges(before: Json, after: Json | undefined, path = ''): string[] {
  if (!after) return [`${path || '/'}: removed`]
  if (before.type === 'object' && after.type === 'object') {
    const problems: string[] = []
    const oldRequired = new Set<string>(before.required ?? [])
    const newRequired = new Set<string>(after.required ?? [])
    for (const [key, schema] of Object.entries<Json>(before.properties ?? {})) {
      const p = `${path}/${key}`
      if (!after.properties?.[key]) problems.push(`${p}: field removed`)
      else problems.push(...breakingChanges(schema, after.properties[key], p))
      if (oldRequired.has(key) && !newRequired.has(key)) problems.push(`${p}: became optional`)
    }
    for (const key of newRequired) if (!oldRequired.has(key)) problems.push(`${path}/${key}: new required field`)
    if (before.additionalProperties !== after.additionalProperties) problems.push(`${path || '/'}: additionalProperties changed`)
    return problems
  }
  if (before.type === 'array' && after.type === 'array') return breakingChanges(before.items, after.items, `${path}/items`)
  return JSON.stringify(before) === JSON.stringify(after)
    ? []
    : [`${path || '/'}: type changed from ${JSON.stringify(before)} to ${JSON.stringify(after)}`]
}

/** Every breaking change of the current catalog against the committed snapshot. */
export function catalogBreakingChanges(snapshot = readSnapshot(), current = catalogSnapshot()): string[] {
  const problems: string[] = []
  for (const [type, versions] of Object.entries(snapshot)) {
    for (const [version, schema] of Object.entries(versions)) {
      const now = current[type]?.[version]
      if (!now) problems.push(`${type} v${version}: removed from the catalog`)
      else problems.push(...breakingChanges(schema, now).map((p) => `${type} v${version} ${p}`))
    }
  }
  return problems
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const problems = existsSync(snapshotPath) ? catalogBreakingChanges() : []
  if (problems.length) {
    console.error(`refusing to update the snapshot; breaking changes need a new version:\n${problems.join('\n')}`)
    process.exit(1)
  }
  writeFileSync(snapshotPath, JSON.stringify(catalogSnapshot(), null, 2) + '\n')
  console.error(`wrote ${snapshotPath}`)
}

// Writes docs/events.md from the catalog: npx tsx --conditions=@lms/source packages/events/scripts/generate-events-doc.ts
import { writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { catalog } from '../src/catalog/index.js'

export const docPath = fileURLToPath(new URL('../../../docs/events.md', import.meta.url))

type Json = Record<string, any>

function typeOf(s: Json): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ')
  if (s.const !== undefined) return JSON.stringify(s.const)
  if (s.type === 'array') return `${typeOf(s.items)}[]`
  if (s.type === 'object') return 'object'
  return s.format ? `${s.type} (${s.format})` : String(s.type)
}

function fields(s: Json, prefix = ''): string[] {
  const rows: string[] = []
  const required = new Set<string>(s.required ?? [])
  for (const [key, prop] of Object.entries<Json>(s.properties ?? {})) {
    const name = `${prefix}${key}`
    rows.push(`| \`${name}\` | ${typeOf(prop)} | ${required.has(key) ? 'yes' : 'no'} |`)
    if (prop.type === 'object') rows.push(...fields(prop, `${name}.`))
    if (prop.type === 'array' && prop.items?.type === 'object') rows.push(...fields(prop.items, `${name}[].`))
  }
  return rows
}

/** The Markdown of docs/events.md. */
export function renderEventsDoc(): string {
  const out = [
    '# Domain events',
    '',
    '<!-- Generated from packages/events/src/catalog by packages/events/scripts/generate-events-doc.ts; do not edit. -->',
    '',
    'Every event travels on the topic exchange `lms.events` with its type as routing key, in the envelope',
    '`{ id, type, version, occurredAt, source, data }`. Within a version a schema only gains optional fields.',
    '',
    '| type | version | producer | consumers | description |',
    '|---|---|---|---|---|',
  ]
  for (const [type, versions] of Object.entries(catalog)) {
    for (const [version, e] of Object.entries(versions)) {
      out.push(
        `| [\`${type}\`](#${type.replace('.', '')}-v${version}) | ${version} | ${e.producer} | ${e.consumers.join(', ') || '—'} | ${e.description} |`,
      )
    }
  }
  for (const [type, versions] of Object.entries(catalog)) {
    for (const [version, e] of Object.entries(versions)) {
      out.push(
        '',
        `## ${type} v${version}`,
        '',
        e.description,
        '',
        `Producer: ${e.producer}. Consumers: ${e.consumers.join(', ') || 'none yet'}.`,
        '',
      )
      out.push('| field | type | required |', '|---|---|---|', ...fields(JSON.parse(JSON.stringify(e.schema))))
    }
  }
  return out.join('\n') + '\n'
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(docPath, renderEventsDoc())
  console.error(`wrote ${docPath}`)
}

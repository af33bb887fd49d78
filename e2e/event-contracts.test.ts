import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { catalog } from '@lms/events'

const root = join(import.meta.dirname, '..')
const HANDLER_KEY = /'((?:user|course|enrollment|assessment|certificate|notification)\.[a-z_]+)':\s*\{\s*1\s*:/g

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : []
  })
}

// The producer declares queues for the catalog's consumers, so a consumer listed there without a
// handler would dead-letter every such event, and one missing there would miss events published
// before it first started.
t.test('the catalog names exactly the services that register a handler for each event type', async (t) => {
  for (const service of ['course', 'enrollment', 'assessment', 'notification']) {
    const handled = new Set<string>()
    for (const file of sources(join(root, 'services', service, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(HANDLER_KEY)) handled.add(match[1]!)
    }
    const listed = new Set(Object.entries(catalog)
      .filter(([, versions]) => Object.values(versions).some((entry) => (entry.consumers as readonly string[]).includes(service)))
      .map(([type]) => type))
    t.same([...handled].sort(), [...listed].sort(), `${service}: handlers vs catalog consumers`)
  }
})

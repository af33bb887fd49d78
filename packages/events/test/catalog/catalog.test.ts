import { readFileSync } from 'node:fs'
import t from 'tap'
import { catalog, createEvent, EventValidationError } from '../../src/catalog/index.js'
import { breakingChanges, catalogBreakingChanges, catalogSnapshot, readSnapshot } from '../../scripts/catalog-snapshot.js'
import { docPath, renderEventsDoc } from '../../scripts/generate-events-doc.js'

const update = 'npx tsx --conditions=@lms/source packages/events/scripts/catalog-snapshot.ts'

t.test('the catalog has no breaking change against the committed snapshot', async (t) => {
  t.same(catalogBreakingChanges(), [], 'breaking changes need a new event version')
  t.same(catalogSnapshot(), readSnapshot(), `the snapshot is current (after adding optional fields run \`${update}\`)`)
})

t.test('the compatibility check flags removed fields, changed types and new required fields, and allows new optional fields', async (t) => {
  const before = { type: 'object', required: ['a'], properties: { a: { type: 'string' }, b: { type: 'number' } } }
  t.same(
    breakingChanges(before, { ...before, properties: { ...before.properties, c: { type: 'string' } } }),
    [],
    'a new optional field is fine',
  )
  t.match(breakingChanges(before, { type: 'object', required: ['a'], properties: { a: { type: 'string' } } }), ['/b: field removed'])
  t.match(breakingChanges(before, { ...before, properties: { ...before.properties, a: { type: 'number' } } }), [/\/a: type changed/])
  t.match(breakingChanges(before, { ...before, required: ['a', 'c'], properties: { ...before.properties, c: { type: 'string' } } }), [
    '/c: new required field',
  ])
})

t.test('docs/events.md is what the generator produces', async (t) => {
  t.equal(
    readFileSync(docPath, 'utf8'),
    renderEventsDoc(),
    'run `npx tsx --conditions=@lms/source packages/events/scripts/generate-events-doc.ts`',
  )
})

t.test('every event type of DESIGN.md §5, course.created and the waitlist events are in the catalog with a producer', async (t) => {
  t.equal(Object.keys(catalog).length, 20)
  for (const [type, versions] of Object.entries(catalog)) t.ok(versions[1].producer, type)
})

t.test('createEvent builds a valid envelope and rejects a schema violation with paths', async (t) => {
  const e = createEvent(
    'enrollment.progressed',
    {
      enrollmentId: crypto.randomUUID(),
      userId: crypto.randomUUID(),
      courseId: crypto.randomUUID(),
      progressPercentage: 50,
      milestone: 50,
    },
    { source: 'enrollment' },
  )
  t.match(e, { type: 'enrollment.progressed', version: 1, source: 'enrollment' })
  t.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/, 'ids are UUIDv7')
  const err = t.throws(() =>
    createEvent(
      'enrollment.progressed',
      { enrollmentId: 'x', userId: crypto.randomUUID(), courseId: crypto.randomUUID(), progressPercentage: 50, milestone: 30 as 25 },
      { source: 'enrollment' },
    ),
  ) as EventValidationError
  t.type(err, EventValidationError)
  t.ok(err.issues.some((i) => i.path === '/data/enrollmentId'))
  t.ok(err.issues.some((i) => i.path === '/data/milestone'))
})

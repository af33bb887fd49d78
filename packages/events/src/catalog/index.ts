import Type, { type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { uuidv7 } from 'uuidv7'
import { AssessmentCreatedV1 } from './assessment-created.v1.js'
import { AssessmentDeletedV1 } from './assessment-deleted.v1.js'
import { AssessmentGradedV1 } from './assessment-graded.v1.js'
import { AssessmentSubmittedV1 } from './assessment-submitted.v1.js'
import { AssessmentUpdatedV1 } from './assessment-updated.v1.js'
import { CertificateIssuedV1 } from './certificate-issued.v1.js'
import { CourseArchivedV1 } from './course-archived.v1.js'
import { CourseCreatedV1 } from './course-created.v1.js'
import { CoursePublishedV1 } from './course-published.v1.js'
import { CourseUpdatedV1 } from './course-updated.v1.js'
import { EnrollmentCompletedV1 } from './enrollment-completed.v1.js'
import { EnrollmentCreatedV1 } from './enrollment-created.v1.js'
import { EnrollmentDroppedV1 } from './enrollment-dropped.v1.js'
import { EnrollmentProgressedV1 } from './enrollment-progressed.v1.js'
import { EnrollmentWaitlistedV1 } from './enrollment-waitlisted.v1.js'
import { EnrollmentWaitlistLeftV1 } from './enrollment-waitlist-left.v1.js'
import { NotificationSentV1 } from './notification-sent.v1.js'
import { UserDeletedV1 } from './user-deleted.v1.js'
import { UserRegisteredV1 } from './user-registered.v1.js'
import { UserRoleChangedV1 } from './user-role-changed.v1.js'

export {
  AssessmentCreatedV1,
  AssessmentDeletedV1,
  AssessmentGradedV1,
  AssessmentSubmittedV1,
  AssessmentUpdatedV1,
  CertificateIssuedV1,
  CourseArchivedV1,
  CourseCreatedV1,
  CoursePublishedV1,
  CourseUpdatedV1,
  EnrollmentCompletedV1,
  EnrollmentCreatedV1,
  EnrollmentDroppedV1,
  EnrollmentProgressedV1,
  EnrollmentWaitlistedV1,
  EnrollmentWaitlistLeftV1,
  NotificationSentV1,
  UserDeletedV1,
  UserRegisteredV1,
  UserRoleChangedV1,
}

/** The services of the platform (DESIGN.md §5). */
export type ServiceName = 'user' | 'course' | 'enrollment' | 'assessment' | 'notification'

/** One event type at one version: its payload schema and who produces and consumes it. */
export interface CatalogEntry<S extends TSchema = TSchema> {
  readonly schema: S
  readonly producer: ServiceName
  readonly consumers: readonly ServiceName[]
  readonly description: string
}

function entry<S extends TSchema>(schema: S, producer: ServiceName, consumers: ServiceName[], description: string): CatalogEntry<S> {
  return { schema, producer, consumers, description }
}

/**
 * Every event of the platform, keyed by type (the routing key) then version.
 *
 * @example
 * const { schema, producer } = catalog['enrollment.created'][1]
 */
export const catalog = {
  'user.registered': { 1: entry(UserRegisteredV1, 'user', ['enrollment', 'notification'], 'A person created an account.') },
  'user.role_changed': { 1: entry(UserRoleChangedV1, 'user', ['notification'], "An admin changed a user's role.") },
  'user.deleted': {
    1: entry(UserDeletedV1, 'user', ['course', 'enrollment', 'assessment', 'notification'], 'A user account was deleted.'),
  },
  'course.created': {
    1: entry(CourseCreatedV1, 'course', ['assessment'], 'A course was created (or cloned) as a draft; its instructor may prepare assessments.'),
  },
  'course.published': {
    1: entry(CoursePublishedV1, 'course', ['enrollment', 'assessment', 'notification'], 'A course became available for enrollment.'),
  },
  'course.updated': { 1: entry(CourseUpdatedV1, 'course', ['enrollment', 'assessment', 'notification'], 'A published course changed (full snapshot).') },
  'course.archived': { 1: entry(CourseArchivedV1, 'course', ['enrollment', 'assessment'], 'A course was archived.') },
  'enrollment.created': { 1: entry(EnrollmentCreatedV1, 'enrollment', ['assessment', 'notification'], 'A student enrolled in a course.') },
  'enrollment.progressed': {
    1: entry(EnrollmentProgressedV1, 'enrollment', ['notification'], 'An enrollment crossed a progress milestone.'),
  },
  'enrollment.completed': {
    1: entry(EnrollmentCompletedV1, 'enrollment', ['notification'], 'A student completed a course.'),
  },
  'enrollment.dropped': { 1: entry(EnrollmentDroppedV1, 'enrollment', ['assessment', 'notification'], 'A student dropped a course.') },
  'enrollment.waitlisted': {
    1: entry(EnrollmentWaitlistedV1, 'enrollment', ['notification'], 'A student joined the waitlist of a full course.'),
  },
  'enrollment.waitlist_left': {
    1: entry(EnrollmentWaitlistLeftV1, 'enrollment', ['notification'], 'A waitlist entry ended: left, removed, or promoted to an enrollment.'),
  },
  'certificate.issued': { 1: entry(CertificateIssuedV1, 'enrollment', ['notification'], 'A completion certificate was issued.') },
  'assessment.created': { 1: entry(AssessmentCreatedV1, 'assessment', ['enrollment'], 'An assessment was added to a course.') },
  'assessment.updated': { 1: entry(AssessmentUpdatedV1, 'assessment', ['enrollment'], 'An assessment changed.') },
  'assessment.deleted': { 1: entry(AssessmentDeletedV1, 'assessment', ['enrollment'], 'An assessment was removed from a course.') },
  'assessment.submitted': { 1: entry(AssessmentSubmittedV1, 'assessment', [], 'A student submitted an attempt.') },
  'assessment.graded': { 1: entry(AssessmentGradedV1, 'assessment', ['enrollment', 'notification'], 'An attempt was graded.') },
  'notification.sent': { 1: entry(NotificationSentV1, 'notification', [], 'A notification was delivered to a user.') },
} as const

/** Every event type (= routing key), e.g. `'enrollment.created'`. */
export type EventType = keyof typeof catalog
/** The versions the catalog knows for an event type. */
export type EventVersion<T extends EventType> = keyof (typeof catalog)[T] & number
/** The payload of an event type (all its versions unless `V` is given). */
export type EventData<T extends EventType, V extends EventVersion<T> = EventVersion<T>> =
  V extends EventVersion<T> ? ((typeof catalog)[T][V] extends CatalogEntry<infer S> ? Static<S> : never) : never
/** The envelope every event travels in. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string
  type: T
  version: number
  occurredAt: string
  source: string
  data: EventData<T>
}
/** An envelope whose type is any catalog type (what a consumer sees before dispatch). */
export type AnyEventEnvelope = { [T in EventType]: EventEnvelope<T> }[EventType]

/** The envelope's own schema (the `data` field is checked against the catalog separately). */
export const EnvelopeSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String({ minLength: 1 }),
  version: Type.Integer({ minimum: 1 }),
  occurredAt: Type.String({ format: 'date-time' }),
  source: Type.String({ minLength: 1 }),
  data: Type.Unknown(),
})

/** One schema violation: where (JSON pointer) and what. */
export interface ValidationIssue {
  path: string
  message: string
}

/**
 * Thrown when an event does not match its catalog schema.
 *
 * @example
 * try { createEvent('user.deleted', { userId: 'x' } as never, { source: 'user' }) }
 * catch (err) { if (err instanceof EventValidationError) console.log(err.issues) }
 */
export class EventValidationError extends Error {
  readonly code = 'EVT_ERR_VALIDATION'
  constructor(
    readonly eventType: string,
    readonly version: number | undefined,
    readonly issues: ValidationIssue[],
    readonly reason: 'invalid_envelope' | 'unknown_type' | 'unknown_version' | 'schema_violation' = 'schema_violation',
  ) {
    super(
      `${eventType} v${version ?? '?'}: ${reason}${issues.length ? ': ' + issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ') : ''}`,
    )
    this.name = 'EventValidationError'
  }
}

const checkers = new Map<TSchema, ReturnType<typeof Compile>>()
function checker(schema: TSchema) {
  let c = checkers.get(schema)
  if (!c) {
    c = Compile(schema)
    checkers.set(schema, c)
  }
  return c
}

function issuesOf(schema: TSchema, value: unknown): ValidationIssue[] {
  const c = checker(schema)
  if (c.Check(value)) return []
  return [...c.Errors(value)].slice(0, 20).map((e) => ({ path: e.instancePath, message: e.message }))
}

/**
 * Looks up a catalog entry, or undefined when the type or version is unknown.
 *
 * @example
 * findCatalogEntry('course.archived', 1)?.producer // 'course'
 */
export function findCatalogEntry(type: string, version: number): CatalogEntry | undefined {
  const versions = (catalog as Record<string, Record<number, CatalogEntry>>)[type]
  return versions?.[version]
}

/**
 * The highest version the catalog knows for a type.
 *
 * @example
 * latestVersion('user.registered') // 1
 */
export function latestVersion(type: EventType): number {
  return Math.max(...Object.keys(catalog[type]).map(Number))
}

/**
 * Checks a whole envelope (shape, known type and version, payload schema) and returns it typed.
 * Throws {@link EventValidationError} with a `reason` and the failing paths.
 *
 * @example
 * const event = validateEnvelope(JSON.parse(body))
 */
export function validateEnvelope(value: unknown): AnyEventEnvelope {
  const envIssues = issuesOf(EnvelopeSchema, value)
  const v = value as { type?: unknown; version?: unknown; data?: unknown }
  if (envIssues.length)
    throw new EventValidationError(
      String(v?.type ?? '?'),
      typeof v?.version === 'number' ? v.version : undefined,
      envIssues,
      'invalid_envelope',
    )
  const type = v.type as string
  const version = v.version as number
  if (!(type in catalog)) throw new EventValidationError(type, version, [], 'unknown_type')
  const found = findCatalogEntry(type, version)
  if (!found) throw new EventValidationError(type, version, [], 'unknown_version')
  const dataIssues = issuesOf(found.schema, v.data).map((i) => ({ ...i, path: '/data' + i.path }))
  if (dataIssues.length) throw new EventValidationError(type, version, dataIssues, 'schema_violation')
  return value as AnyEventEnvelope
}

/**
 * Builds a validated envelope (UUIDv7 id, ISO `occurredAt`). Throws {@link EventValidationError} on a schema violation.
 *
 * @example
 * const event = createEvent('user.registered', { userId, email, fullName, role: 'student' }, { source: 'user' })
 */
export function createEvent<T extends EventType, V extends EventVersion<T> = EventVersion<T>>(
  type: T,
  data: EventData<T, V>,
  options: { source: string; version?: V; id?: string; occurredAt?: Date },
): EventEnvelope<T> {
  const event = {
    id: options.id ?? uuidv7(),
    type,
    version: options.version ?? latestVersion(type),
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    source: options.source,
    data,
  }
  validateEnvelope(event)
  return event as EventEnvelope<T>
}

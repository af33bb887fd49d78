import type { Kysely } from 'kysely'
import { Counter } from 'prom-client'
import { createApp, pingPostgres, type App, type AuthOptions } from '@lms/kit'
import { certificateRoutes } from './certificates/routes.js'
import { createCertificateService } from './certificates/service.js'
import type { Database } from './database.js'
import { enrollmentRoutes } from './enrollments/routes.js'
import { createEnrollmentService } from './enrollments/service.js'
import { createEventHandlers } from './subscriptions/event-handlers.js'
import { waitlistRoutes } from './waitlist/routes.js'
import { createWaitlistService } from './waitlist/service.js'

export interface AppConfig { LOG_LEVEL: string }

export interface AppDeps {
  config: AppConfig
  db: Kysely<Database>
  auth: AuthOptions
  /** Extra readiness checks (the broker, owned by main.ts). */
  readiness?: Record<string, () => Promise<unknown>>
}

/**
 * The enrollment service as an app that never listens: kit defaults → services → routes.
 * `eventHandlers` are what main.ts hands to the service bus (tests call them directly).
 */
export async function buildApp(deps: AppDeps) {
  const app = await createApp({ service: 'enrollment', logLevel: deps.config.LOG_LEVEL, auth: deps.auth })
  const created = new Counter({ name: 'lms_enrollments_created_total', help: 'Enrollments created', registers: [app.metrics] })
  const completed = new Counter({ name: 'lms_enrollments_completed_total', help: 'Enrollments completed', registers: [app.metrics] })

  const enrollments = createEnrollmentService({ db: deps.db, onCreated: () => created.inc(), onCompleted: () => completed.inc() })
  const certificates = createCertificateService({ db: deps.db })
  const waitlist = createWaitlistService({ db: deps.db })
  const eventHandlers = createEventHandlers({ db: deps.db, enrollments, onCompleted: () => completed.inc() })

  app.addReadinessCheck('postgres', () => pingPostgres(deps.db))
  for (const [name, check] of Object.entries(deps.readiness ?? {})) app.addReadinessCheck(name, check)

  await app.register(enrollmentRoutes, { enrollments })
  await app.register(certificateRoutes, { certificates, enrollments })
  await app.register(waitlistRoutes, { waitlist })
  return Object.assign(app as App, { services: { enrollments, certificates, waitlist }, eventHandlers })
}

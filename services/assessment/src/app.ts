import type { Kysely } from 'kysely'
import { Counter } from 'prom-client'
import { createApp, pingPostgres, type App, type AuthOptions } from '@lms/kit'
import { assessmentRoutes } from './assessments/routes.js'
import { createAssessmentService } from './assessments/service.js'
import { attemptRoutes } from './attempts/routes.js'
import { bankRoutes } from './banks/routes.js'
import { createBankService } from './banks/service.js'
import { createAttemptService } from './attempts/service.js'
import type { AssessmentConfig } from './config.js'
import type { Database } from './database.js'
import { createAccessService } from './read-models/service.js'

export type AppConfig = Pick<AssessmentConfig, 'LOG_LEVEL' | 'SUBMIT_GRACE_SECONDS'>

export interface AppDeps {
  config: AppConfig
  db: Kysely<Database>
  auth: AuthOptions
  /** Extra readiness checks (the broker, owned by main.ts). */
  readiness?: Record<string, () => Promise<unknown>>
}

/** The assessment service as an app that never listens: kit defaults → services → routes. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = await createApp({ service: 'assessment', logLevel: deps.config.LOG_LEVEL, auth: deps.auth })
  const access = createAccessService(deps.db)
  const banks = createBankService({ db: deps.db, access })
  const bankQuestions = (bankId: string, courseId: string) => banks.questionsFor(bankId, courseId)
  const assessments = createAssessmentService({ db: deps.db, access, bankQuestions })
  const submitted = new Counter({
    name: 'lms_assessment_attempts_submitted_total', help: 'Attempts submitted, by resulting status', labelNames: ['status'], registers: [app.metrics],
  })
  const attempts = createAttemptService({
    db: deps.db, access, assessments, bankQuestions, graceSeconds: deps.config.SUBMIT_GRACE_SECONDS, onSubmitted: (status) => submitted.inc({ status }),
  })

  app.addReadinessCheck('postgres', () => pingPostgres(deps.db))
  for (const [name, check] of Object.entries(deps.readiness ?? {})) app.addReadinessCheck(name, check)

  await app.register(bankRoutes, { banks })
  await app.register(assessmentRoutes, { assessments })
  await app.register(attemptRoutes, { attempts })
  return app
}

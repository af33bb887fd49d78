/**
 * Every request and response type of the public API, derived from the typebox
 * schemas the services validate and serialise with. Type-only imports: nothing
 * of the services reaches a bundle; a schema change shows up here at compile time.
 */
import type { Static } from 'typebox'
import type * as UserSchemas from '../../../services/user/src/users/schemas.js'
import type * as AuthSchemas from '../../../services/user/src/auth/schemas.js'
import type * as CategorySchemas from '../../../services/course/src/categories/schemas.js'
import type * as CourseSchemas from '../../../services/course/src/courses/schemas.js'
import type * as ModuleSchemas from '../../../services/course/src/modules/schemas.js'
import type * as SearchSchemas from '../../../services/course/src/search/schemas.js'
import type * as ContentSchemas from '../../../services/course/src/content/schemas.js'
import type * as EnrollmentSchemas from '../../../services/enrollment/src/enrollments/schemas.js'
import type * as CertificateSchemas from '../../../services/enrollment/src/certificates/schemas.js'
import type * as AssessmentSchemas from '../../../services/assessment/src/assessments/schemas.js'
import type * as AttemptSchemas from '../../../services/assessment/src/attempts/schemas.js'
import type * as BankSchemas from '../../../services/assessment/src/banks/schemas.js'
import type * as NotificationSchemas from '../../../services/notification/src/notifications/schemas.js'
import type * as PreferenceSchemas from '../../../services/notification/src/preferences/schemas.js'
import type { ProblemSchema } from '../../kit/src/schemas.js'

/** `?limit=` and `?cursor=` of every list; both optional on the wire. */
export interface PageQuery { limit?: number; cursor?: string }
/** One page of a list. */
export interface Page<T> { items: T[]; nextCursor: string | null }
/** A query schema's fields with the paging ones (and defaulted `sort`) made optional. */
type ListQuery<T> = Omit<T, 'limit' | 'cursor' | 'sort'> & PageQuery & (T extends { sort: infer S } ? { sort?: S } : unknown)

export type Problem = Static<typeof ProblemSchema>

// user service
export type Role = Static<typeof UserSchemas.RoleSchema>
export type User = Static<typeof UserSchemas.UserSchema>
export type UpdateProfileInput = Static<typeof UserSchemas.UpdateProfileSchema>
export type ChangePasswordInput = Static<typeof UserSchemas.ChangePasswordSchema>
export type UserListQuery = ListQuery<Static<typeof UserSchemas.UserListQuerySchema>>
export type RegisterInput = Static<typeof AuthSchemas.RegisterSchema>
export type LoginInput = Static<typeof AuthSchemas.LoginSchema>
export type TokenGrant = Static<typeof AuthSchemas.TokenGrantSchema>

// course service
export type Category = Static<typeof CategorySchemas.CategorySchema>
export type CreateCategoryInput = Static<typeof CategorySchemas.CreateCategorySchema>
export type UpdateCategoryInput = Static<typeof CategorySchemas.UpdateCategorySchema>
export type Course = Static<typeof CourseSchemas.CourseSchema>
export type CourseSummary = Static<typeof CourseSchemas.CourseSummarySchema>
export type CourseStatus = Static<typeof CourseSchemas.CourseStatusSchema>
export type Module = Static<typeof CourseSchemas.ModuleSchema>
export type Lesson = Static<typeof CourseSchemas.LessonSchema>
export type Outline = Static<typeof CourseSchemas.OutlineSchema>
export type CourseVersionSummary = Static<typeof CourseSchemas.VersionSummarySchema>
export type CourseVersion = Static<typeof CourseSchemas.VersionSchema>
export type CreateCourseInput = Static<typeof CourseSchemas.CreateCourseSchema>
export type UpdateCourseInput = Static<typeof CourseSchemas.UpdateCourseSchema>
export type CloneCourseInput = Static<typeof CourseSchemas.CloneCourseSchema>
export type CourseListQuery = ListQuery<Static<typeof CourseSchemas.CourseListQuerySchema>>
export type CreateModuleInput = Static<typeof ModuleSchemas.CreateModuleSchema>
export type UpdateModuleInput = Static<typeof ModuleSchemas.UpdateModuleSchema>
export type CreateLessonInput = Static<typeof ModuleSchemas.CreateLessonSchema>
export type UpdateLessonInput = Static<typeof ModuleSchemas.UpdateLessonSchema>
export type CourseSearchQuery = ListQuery<Static<typeof SearchSchemas.SearchQuerySchema>>
export type CourseSearchResult = Static<typeof SearchSchemas.SearchResultSchema>
export type CourseSearchHit = CourseSearchResult['items'][number]
export type Content = Static<typeof ContentSchemas.ContentSchema>

// enrollment service
export type Enrollment = Static<typeof EnrollmentSchemas.EnrollmentSchema>
export type EnrollmentDetail = Static<typeof EnrollmentSchemas.EnrollmentDetailSchema>
export type CreateEnrollmentInput = Static<typeof EnrollmentSchemas.CreateEnrollmentSchema>
export type UpdateProgressInput = Static<typeof EnrollmentSchemas.UpdateProgressSchema>
export type CourseEnrollmentStats = Static<typeof EnrollmentSchemas.CourseStatsSchema>
export type Certificate = Static<typeof CertificateSchemas.CertificateSchema>
export type CertificateVerification = Static<typeof CertificateSchemas.CertificateVerificationSchema>

// assessment service
export type Assessment = Static<typeof AssessmentSchemas.AssessmentSchema>
export type Question = Static<typeof AssessmentSchemas.QuestionSchema>
export type StudentQuestion = Static<typeof AssessmentSchemas.StudentQuestionSchema>
export type CreateAssessmentInput = Static<typeof AssessmentSchemas.CreateAssessmentSchema>
export type UpdateAssessmentInput = Static<typeof AssessmentSchemas.UpdateAssessmentSchema>
export type StartedAttempt = Static<typeof AttemptSchemas.StartedAttemptSchema>
export type SubmitInput = Static<typeof AttemptSchemas.SubmitSchema>
export type AttemptOutcome = Static<typeof AttemptSchemas.AttemptOutcomeSchema>
export type GradeInput = Static<typeof AttemptSchemas.GradeSchema>
export type AttemptResult = Static<typeof AttemptSchemas.AttemptResultSchema>
export type AssessmentResults = Static<typeof AttemptSchemas.ResultsSchema>
export type QuestionBank = Static<typeof BankSchemas.QuestionBankSchema>
export type CreateQuestionBankInput = Static<typeof BankSchemas.CreateQuestionBankSchema>
export type UpdateQuestionBankInput = Static<typeof BankSchemas.UpdateQuestionBankSchema>

// notification service
export type Notification = Static<typeof NotificationSchemas.NotificationSchema>
export type NotificationListQuery = ListQuery<Static<typeof NotificationSchemas.NotificationListQuerySchema>>
export type Delivery = Static<typeof NotificationSchemas.DeliverySchema>
export type CreateNotificationInput = Static<typeof NotificationSchemas.CreateNotificationSchema>
export type BulkResult = Static<typeof NotificationSchemas.BulkResultSchema>
export type Preference = Static<typeof PreferenceSchemas.PreferenceSchema>
export type UpdatePreferencesInput = Static<typeof PreferenceSchemas.UpdatePreferencesSchema>

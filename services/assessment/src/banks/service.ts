import type { Kysely } from 'kysely'
import { uuidv7 } from 'uuidv7'
import { kitErrors, type AuthUser } from '@lms/kit'
import { normaliseQuestions } from '../assessments/service.js'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import type { AccessService } from '../read-models/service.js'
import { findBank, insertBank, listCourseBanks, softDeleteBank, updateBank } from './repository.js'
import { toQuestionBank, type CreateQuestionBank, type UpdateQuestionBank } from './schemas.js'

type Caller = Pick<AuthUser, 'id' | 'role'>

/** Question banks are staff-only: a student never reads one (404). */
export function createBankService(deps: { db: Kysely<Database>; access: AccessService }) {
  const { db, access } = deps

  async function staffBank(caller: Caller, id: string) {
    const bank = await findBank(db, id)
    if (!bank || (await access.access(caller, bank.courseId)) !== 'staff') throw errors.ASM_ERR_BANK_NOT_FOUND()
    return bank
  }

  return {
    /** The bank's questions when it exists in the given course. */
    async questionsFor(bankId: string, courseId: string) {
      const bank = await findBank(db, bankId)
      if (!bank) throw errors.ASM_ERR_BANK_NOT_FOUND()
      if (bank.courseId !== courseId) throw errors.ASM_ERR_BANK_OTHER_COURSE()
      return bank.questions
    },

    async create(caller: Caller, input: CreateQuestionBank) {
      await access.requireStaff(caller, input.courseId)
      const questions = normaliseQuestions(input.questions)
      return toQuestionBank(await insertBank(db, { id: uuidv7(), courseId: input.courseId, title: input.title, questions: JSON.stringify(questions) }))
    },

    async get(caller: Caller, id: string) {
      return toQuestionBank(await staffBank(caller, id))
    },

    async listByCourse(caller: Caller, courseId: string, q: { limit: number; after?: string }) {
      if ((await access.access(caller, courseId)) !== 'staff') throw errors.ASM_ERR_COURSE_NOT_FOUND()
      return listCourseBanks(db, courseId, q)
    },

    async update(caller: Caller, id: string, input: UpdateQuestionBank, expectedVersion: number | undefined) {
      const bank = await staffBank(caller, id)
      if (expectedVersion !== undefined && expectedVersion !== bank.version) throw kitErrors.KIT_ERR_PRECONDITION_FAILED()
      return toQuestionBank(await updateBank(db, id, {
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.questions !== undefined ? { questions: JSON.stringify(normaliseQuestions(input.questions)) } : {}),
      }))
    },

    async delete(caller: Caller, id: string) {
      await staffBank(caller, id)
      await softDeleteBank(db, id)
    },
  }
}

export type BankService = ReturnType<typeof createBankService>

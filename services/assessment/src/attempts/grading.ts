import type { StoredQuestion } from '../assessments/table.js'
import type { StoredAnswer, StoredGrade } from './table.js'

function normalise(text: string, caseSensitive: boolean) {
  const collapsed = text.trim().replace(/\s+/g, ' ')
  return caseSensitive ? collapsed : collapsed.toLowerCase()
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i

function shortAnswerCorrect(q: StoredQuestion, text: string) {
  const given = normalise(text, q.caseSensitive ?? false)
  return (q.acceptedAnswers ?? []).some((accepted) => {
    const expected = normalise(accepted, q.caseSensitive ?? false)
    if (q.numericTolerance !== undefined && NUMBER.test(given) && NUMBER.test(expected)) {
      return Math.abs(Number(given) - Number(expected)) <= q.numericTolerance + 1e-9
    }
    return given === expected
  })
}

/** Points for one answer; null when a person must grade it (essays). */
export function autoPoints(q: StoredQuestion, answer: StoredAnswer | undefined): number | null {
  if (q.questionType === 'essay') return null
  if (!answer) return 0
  if (q.questionType === 'short_answer') return shortAnswerCorrect(q, answer.text ?? '') ? q.points : 0
  const chosen = new Set(answer.choiceIds ?? [])
  const correct = new Set((q.choices ?? []).filter((c) => c.isCorrect).map((c) => c.id))
  if (q.questionType === 'multiple_choice' && q.partialCredit) {
    let right = 0
    let wrong = 0
    for (const id of chosen) {
      if (correct.has(id)) right++
      else wrong++
    }
    return round(q.points * Math.max(0, (right - wrong) / correct.size))
  }
  const exact = chosen.size === correct.size && [...chosen].every((id) => correct.has(id))
  return exact ? q.points : 0
}

export function round(n: number) {
  return Math.round(n * 100) / 100
}

/** Score in percent over the questions drawn; complete when no grade is pending. */
export function summarise(grades: StoredGrade[], passingScore: number) {
  const max = grades.reduce((sum, g) => sum + g.maxPoints, 0)
  const earned = grades.reduce((sum, g) => sum + (g.points ?? 0), 0)
  const complete = grades.every((g) => g.points !== null)
  const score = max === 0 ? 0 : round((earned / max) * 100)
  return { score, complete, passed: complete && score >= passingScore }
}

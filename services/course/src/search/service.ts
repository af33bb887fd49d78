import { decodeCursor, encodeCursor } from '@lms/kit'
import { searchCandidates, summariesByIds } from '../courses/service.js'
import type { ServiceDeps } from '../service-deps.js'
import type { SearchQuery } from './schemas.js'
import { indexKeyOf, queryTerms, scoreOf } from './tokens.js'

/** How many index hits are ranked per query; beyond it the newest win. */
export const CANDIDATE_LIMIT = 500

/**
 * Relevance-ranked search over published courses: every query word must match
 * a word (or a word's start) of the title, tags, module/lesson titles or
 * description; ranking weighs where and how well it matched. Uses the
 * `searchKeys` multikey index, no `$text`.
 */
export async function searchCourses(deps: ServiceDeps, query: SearchQuery) {
  const terms = queryTerms(query.q)
  if (terms.length === 0) return { items: [], nextCursor: null }
  const offset = decodeCursor<[number]>(query.cursor)?.[0] ?? 0
  const candidates = await searchCandidates(deps, terms.map(indexKeyOf), CANDIDATE_LIMIT)
  const ranked = candidates
    .map((c) => ({ id: c._id, score: scoreOf(c.search, terms), popularity: c.popularity }))
    .sort((a, b) => b.score - a.score || b.popularity - a.popularity || (a.id < b.id ? 1 : -1))
  const slice = ranked.slice(offset, offset + query.limit)
  const byId = new Map((await summariesByIds(deps, slice.map((r) => r.id))).map((s) => [s.id, s]))
  const items = slice.flatMap((r) => {
    const course = byId.get(r.id)
    return course ? [{ ...course, score: r.score }] : []
  })
  const more = offset + query.limit < ranked.length
  return { items, nextCursor: more ? encodeCursor([offset + query.limit]) : null }
}

import { decodeCursor, encodeCursor } from '@lms/kit'
import { publishedSummariesByIds } from '../courses/service.js'
import type { ServiceDeps } from '../service-deps.js'
import { findPostings } from './index-store.js'
import type { SearchQuery } from './schemas.js'
import { indexKeysOf, queryTerms } from './tokens.js'

/**
 * What a search page depends on: the query's terms in any order and case
 * (ranking sums per-term weights), the cursor and the limit.
 */
export function searchPageKey(query: SearchQuery): [string[], number, string | null] {
  return [queryTerms(query.q).sort(), query.limit, query.cursor ?? null]
}

/**
 * Relevance-ranked search over published courses: every query word must match
 * a word (or a word's start) of the title, tags, module/lesson titles or
 * description; ranking weighs where and how well it matched. Reads one posting
 * document per query word from the inverted index (`search_postings`, looked
 * up by `_id`), intersects them in the service and sums the stored weights;
 * ties go to the newest course. No `$text`, no scans.
 */
export async function searchCourses(deps: ServiceDeps, query: SearchQuery) {
  const terms = queryTerms(query.q)
  if (terms.length === 0) return { items: [], nextCursor: null }
  const offset = decodeCursor<[number]>(query.cursor)?.[0] ?? 0
  const found = await findPostings(deps.db, [...new Set(terms.flatMap(indexKeysOf))])
  // Per term: the term's own key wins over the shorter prefix key of a very long term.
  const perTerm = terms.map((term) => Object.assign({}, ...indexKeysOf(term).reverse().map((k) => found.get(k) ?? {})) as Record<string, number>)
  perTerm.sort((a, b) => Object.keys(a).length - Object.keys(b).length)
  const [smallest, ...rest] = perTerm
  const ranked: Array<{ id: string; score: number }> = []
  for (const [id, weight] of Object.entries(smallest ?? {})) {
    let score = weight
    for (const p of rest) {
      const w = p[id]
      if (w === undefined) { score = -1; break }
      score += w
    }
    if (score > 0) ranked.push({ id, score })
  }
  ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1))
  const slice = ranked.slice(offset, offset + query.limit)
  const byId = new Map((await publishedSummariesByIds(deps, slice.map((r) => r.id))).map((s) => [s.id, s]))
  const items = slice.flatMap((r) => {
    const course = byId.get(r.id)
    return course ? [{ ...course, score: r.score }] : []
  })
  const more = offset + query.limit < ranked.length
  return { items, nextCursor: more ? encodeCursor([offset + query.limit]) : null }
}

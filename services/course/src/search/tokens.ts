import type { SearchFields } from '../courses/table.js'

const MIN_PREFIX = 2
const MAX_PREFIX = 15
const MAX_DESCRIPTION_TOKENS = 300

/** Lower-cased words with diacritics folded (`Café Crème` → `cafe`, `creme`). */
export function tokenize(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase()
  return folded.split(/[^\p{L}\p{N}]+/u).filter((t) => t.length > 0)
}

function unique(tokens: string[]): string[] {
  return [...new Set(tokens)]
}

/** The folded tokens of each searchable field of a course. */
export function searchFieldsOf(course: { title: string; description: string; tags: string[]; modules: Array<{ title: string; lessons: Array<{ title: string }> }> }): SearchFields {
  return {
    title: unique(tokenize(course.title)),
    tags: unique(course.tags.flatMap(tokenize)),
    lessons: unique(course.modules.flatMap((m) => [m.title, ...m.lessons.map((l) => l.title)]).flatMap(tokenize)),
    description: unique(tokenize(course.description)).slice(0, MAX_DESCRIPTION_TOKENS),
  }
}

const WEIGHTS: Record<keyof SearchFields, number> = { title: 8, tags: 5, lessons: 3, description: 1 }
const FIELDS = Object.keys(WEIGHTS) as Array<keyof SearchFields>

/**
 * The inverted-index entries of a course: for every key (each token, and each
 * of its prefixes of 2–15 characters) the relevance a query term equal to that
 * key earns: per field, an exact word counts twice a prefix, weighted title ×8,
 * tags ×5, module/lesson titles ×3, description ×1 (the sum over fields).
 */
export function postingsOf(fields: SearchFields): Record<string, number> {
  const out: Record<string, number> = {}
  for (const field of FIELDS) {
    const level = new Map<string, number>()
    for (const token of fields[field]) {
      if (token.length < MIN_PREFIX) continue
      for (let n = MIN_PREFIX; n <= Math.min(token.length, MAX_PREFIX); n++) {
        const key = token.slice(0, n)
        if ((level.get(key) ?? 0) < 1) level.set(key, 1)
      }
      level.set(token, 2)
    }
    for (const [key, l] of level) out[key] = (out[key] ?? 0) + l * WEIGHTS[field]
  }
  return out
}

/** The query's terms (words of 2+ characters, folded). */
export function queryTerms(q: string): string[] {
  return unique(tokenize(q).filter((t) => t.length >= MIN_PREFIX))
}

/**
 * The index keys to try for a term, best first: the term itself (a word or a
 * stored prefix); for terms longer than the longest stored prefix also that
 * prefix, which matches any word starting with it (scored as such).
 */
export function indexKeysOf(term: string): string[] {
  return term.length > MAX_PREFIX ? [term, term.slice(0, MAX_PREFIX)] : [term]
}

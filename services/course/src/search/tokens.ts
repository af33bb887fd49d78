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

/**
 * The indexed keys: every token and each of its prefixes from 2 characters, so
 * type-ahead (`pyth`) and whole words hit the same multikey index with `$all`.
 */
export function searchKeysOf(fields: SearchFields): string[] {
  const keys = new Set<string>()
  for (const token of [...fields.title, ...fields.tags, ...fields.lessons, ...fields.description]) {
    if (token.length < MIN_PREFIX) continue
    for (let n = MIN_PREFIX; n <= Math.min(token.length, MAX_PREFIX); n++) keys.add(token.slice(0, n))
    keys.add(token)
  }
  return [...keys]
}

/** The query's terms (words of 2+ characters, folded). */
export function queryTerms(q: string): string[] {
  return unique(tokenize(q).filter((t) => t.length >= MIN_PREFIX))
}

/** The index key of a term: terms longer than the longest stored prefix are cut to it. */
export function indexKeyOf(term: string): string {
  return term.slice(0, MAX_PREFIX)
}

const WEIGHTS: Record<keyof SearchFields, number> = { title: 8, tags: 5, lessons: 3, description: 1 }

/**
 * Relevance of a candidate: per term and field, an exact word scores twice a
 * prefix match, weighted title > tags > lesson titles > description.
 */
export function scoreOf(fields: SearchFields, terms: string[]): number {
  let score = 0
  for (const term of terms) {
    for (const field of Object.keys(WEIGHTS) as Array<keyof SearchFields>) {
      let best = 0
      for (const token of fields[field]) {
        if (token === term) { best = 2; break }
        if (best === 0 && token.startsWith(term)) best = 1
      }
      score += best * WEIGHTS[field]
    }
  }
  return score
}

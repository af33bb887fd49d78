import type { Page } from './types.js'

/**
 * Walks a cursor-paginated list page by page, yielding each item; stops when
 * `nextCursor` is null. Breaking out of the loop stops fetching.
 *
 * @example
 * for await (const course of paginate((cursor) => client.courses.list({ cursor, limit: 50 }))) render(course)
 */
export async function* paginate<T>(load: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined
  do {
    const page = await load(cursor)
    yield* page.items
    cursor = page.nextCursor ?? undefined
  } while (cursor)
}

/** Collects an async iterable into an array (bounded by `max`, default 10,000). */
export async function collect<T>(items: AsyncIterable<T>, max = 10_000): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) {
    out.push(item)
    if (out.length >= max) break
  }
  return out
}

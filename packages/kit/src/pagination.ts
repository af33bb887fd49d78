import { kitErrors } from './errors.js'

/**
 * Opaque keyset cursors: the sort key values of the last item, base64url JSON.
 *
 * @example
 * const after = decodeCursor<[string, string]>(query.cursor) // [createdAt, id]
 * return page(rows, limit, (row) => [row.createdAt, row.id])
 */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

export function decodeCursor<T extends unknown[]>(cursor: string | undefined): T | undefined {
  if (!cursor) return undefined
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (!Array.isArray(values)) throw new Error('not an array')
    return values as T
  } catch {
    throw kitErrors.KIT_ERR_BAD_CURSOR()
  }
}

/** Given `limit + 1` rows, returns the page and the cursor of its last row when more follow. */
export function page<R, I = R>(rows: R[], limit: number, key: (row: R) => unknown[], map?: (row: R) => I) {
  const more = rows.length > limit
  const slice = more ? rows.slice(0, limit) : rows
  const last = slice[slice.length - 1]
  return {
    items: map ? slice.map(map) : (slice as unknown as I[]),
    nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null,
  }
}

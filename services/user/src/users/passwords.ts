import { availableParallelism } from 'node:os'
import { performance } from 'node:perf_hooks'
import bcrypt from 'bcrypt'
import { AppError } from '@lms/kit'
import { errors } from '../errors.js'

const BCRYPT_MAX_BYTES = 72

export interface PasswordOptions {
  cost: number
  minLength: number
  /**
   * Longest queue wait, in ms, a hash or compare may expect before it is refused
   * with 503 and Retry-After (no account is created and nothing changes). Without
   * it, a burst of registrations queues on the libuv threadpool until the gateway's
   * upstream timeout answers 504 while the account is still being created.
   */
  maxWaitMs: number
}

/**
 * Admits bcrypt work while the expected wait (work ahead ÷ cores × one hash)
 * stays under `maxWaitMs`; work is never refused while a core is free.
 */
function admission(hashMs: number, maxWaitMs: number) {
  const cores = availableParallelism()
  let pending = 0
  return async <T>(work: () => Promise<T>): Promise<T> => {
    const waitMs = (pending / cores) * hashMs
    if (pending >= cores && waitMs > maxWaitMs) {
      const seconds = String(Math.max(1, Math.ceil(waitMs / 1000)))
      throw new AppError('USR_ERR_BUSY', 503, 'Too many password checks are queued; retry shortly', {}, { 'retry-after': seconds })
    }
    pending++
    try {
      return await work()
    } finally {
      pending--
    }
  }
}

export function createPasswords(opts: PasswordOptions) {
  // Compared against when the email is unknown, so both failures cost one bcrypt and look alike.
  const started = performance.now()
  const dummyHash = bcrypt.hashSync('not-a-real-password', opts.cost)
  const admit = admission(performance.now() - started, opts.maxWaitMs)
  return {
    /** 400 unless the password fits bcrypt (≤ 72 bytes) and the minimum length. */
    check(password: string) {
      if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) {
        throw errors.USR_ERR_PASSWORD_TOO_LONG(undefined, { errors: [{ path: '/body/password', message: 'must be at most 72 bytes' }] })
      }
      if ([...password].length < opts.minLength) {
        throw errors.USR_ERR_PASSWORD_TOO_SHORT(`The password must be at least ${opts.minLength} characters`, {
          errors: [{ path: '/body/password', message: `must be at least ${opts.minLength} characters` }],
        })
      }
    },
    /** Throws 503 (Retry-After) when the hashing queue is too long. */
    hash: (password: string) => admit(() => bcrypt.hash(password, opts.cost)),
    /** Throws 503 (Retry-After) when the hashing queue is too long. */
    async verify(password: string, hash: string | null | undefined) {
      if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) return false
      return admit(() => bcrypt.compare(password, hash ?? dummyHash)).then((ok) => ok && Boolean(hash))
    },
  }
}

export type Passwords = ReturnType<typeof createPasswords>

import bcrypt from 'bcrypt'
import { errors } from '../errors.js'

const BCRYPT_MAX_BYTES = 72

export function createPasswords(opts: { cost: number; minLength: number }) {
  // Compared against when the email is unknown, so both failures cost one bcrypt and look alike.
  const dummyHash = bcrypt.hashSync('not-a-real-password', opts.cost)
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
    hash: (password: string) => bcrypt.hash(password, opts.cost),
    async verify(password: string, hash: string | null | undefined) {
      if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) return false
      return bcrypt.compare(password, hash ?? dummyHash).then((ok) => ok && Boolean(hash))
    },
  }
}

export type Passwords = ReturnType<typeof createPasswords>

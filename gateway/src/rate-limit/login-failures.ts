import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export interface LoginFailuresOptions {
  redis: Redis
  keyPrefix: string
  /** Failed logins of one account within the window before its logins pause. */
  max: number
  windowMs: number
}

/**
 * Failed logins counted per account across all IPs, so rotating addresses
 * doesn't help a password guesser. Keys hold a hash of the normalised email,
 * never the email. Only password logins pause: refresh and password reset go
 * on, so an attacker cannot lock the owner out of recovering the account.
 *
 * @example
 * const failures = new LoginFailures({ redis, keyPrefix: 'gw:', max: 10, windowMs: 900_000 })
 * const wait = await failures.lockedFor(email) // seconds, 0 when free
 */
export class LoginFailures {
  constructor(private readonly options: LoginFailuresOptions) {}

  keyFor(email: string): string {
    const digest = createHash('sha256').update(`lms-login:${email.trim().toLowerCase()}`).digest('base64url')
    return `${this.options.keyPrefix}login-failures:${digest}`
  }

  /** Seconds until the account may try a password again; 0 when it may now. */
  async lockedFor(email: string): Promise<number> {
    const key = this.keyFor(email)
    const result = await this.options.redis.multi().get(key).pttl(key).exec()
    const count = Number(result?.[0]?.[1] ?? 0)
    const ttl = Number(result?.[1]?.[1] ?? -2)
    if (count < this.options.max) return 0
    return ttl > 0 ? Math.ceil(ttl / 1000) : Math.ceil(this.options.windowMs / 1000)
  }

  async recordFailure(email: string): Promise<void> {
    const key = this.keyFor(email)
    await this.options.redis.multi().incr(key).pexpire(key, this.options.windowMs, 'NX').exec()
  }

  async reset(email: string): Promise<void> {
    await this.options.redis.del(this.keyFor(email))
  }
}

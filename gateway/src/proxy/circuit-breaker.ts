export type BreakerState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
  /** Consecutive failures (errors, timeouts, 502–504; not a 503 with Retry-After) that open the circuit. */
  failureThreshold: number
  /** How long the circuit stays open before one probe request is let through. */
  resetMs: number
  onStateChange?: (state: BreakerState) => void
  now?: () => number
}

/**
 * A consecutive-failure circuit breaker: closed → open after `failureThreshold`
 * failures in a row; after `resetMs` one probe goes through (half-open); the
 * probe's success closes it, its failure opens it again.
 *
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 5, resetMs: 10_000 })
 * if (!breaker.tryAcquire()) throw unavailable()
 * breaker.onSuccess() // or breaker.onFailure()
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed'
  private failures = 0
  private openedAt = 0
  private probeStartedAt = 0
  private readonly now: () => number

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now
  }

  get state(): BreakerState {
    return this.current
  }

  /** Whether a request may go upstream now; in half-open only the probe may. */
  tryAcquire(): boolean {
    if (this.current === 'closed') return true
    const now = this.now()
    if (this.current === 'open') {
      if (now - this.openedAt < this.options.resetMs) return false
      this.transition('half-open')
      this.probeStartedAt = now
      return true
    }
    // A probe whose client went away never reports back; let another one try.
    if (now - this.probeStartedAt >= this.options.resetMs) {
      this.probeStartedAt = now
      return true
    }
    return false
  }

  /** Seconds until a request may be tried again (for Retry-After). */
  retryAfterSeconds(): number {
    const since = this.now() - (this.current === 'open' ? this.openedAt : this.probeStartedAt)
    return Math.max(1, Math.ceil((this.options.resetMs - since) / 1000))
  }

  onSuccess(): void {
    this.failures = 0
    if (this.current !== 'closed') this.transition('closed')
  }

  onFailure(): void {
    this.failures += 1
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.options.failureThreshold)) {
      this.openedAt = this.now()
      this.transition('open')
    }
  }

  private transition(state: BreakerState) {
    this.current = state
    this.options.onStateChange?.(state)
  }
}

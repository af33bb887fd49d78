/** The inbox consumer name of every handler of this service. */
export const CONSUMER = 'enrollment'

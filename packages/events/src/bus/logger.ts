/** The logging surface the package needs; a pino logger fits it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void
  info(obj: object | string, msg?: string): void
  warn(obj: object | string, msg?: string): void
  error(obj: object | string, msg?: string): void
}

/** A logger that drops everything (the default when none is passed). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

// The subset of autocannon's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  export interface Request { method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (req: Request) => Request }
  export interface Options { url: string; connections?: number; duration?: number; amount?: number; overallRate?: number; requests?: Request[] }
  export interface Result { requests: { average: number; total: number; sent: number }; latency: { p50: number; p99: number }; errors: number; timeouts: number; non2xx: number }
  function autocannon(opts: Options): Promise<Result>
  export default autocannon
}

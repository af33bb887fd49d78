// The subset of autocannon's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  interface Request { method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (req: Request) => Request }
  interface Options { url: string; connections?: number; duration?: number; amount?: number; overallRate?: number; requests?: Request[] }
  interface Result { requests: { average: number; total: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number; duration: number }
  function autocannon(opts: Options): Promise<Result>
  export default autocannon
}

// The subset of autocannon's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  interface Request { method?: string; path?: string; setupRequest?: (req: Request) => Request }
  interface Options { url: string; connections?: number; duration?: number; timeout?: number; overallRate?: number; requests?: Request[] }
  interface Result { requests: { average: number; total: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number }
  function autocannon(opts: Options): Promise<Result>
  export default autocannon
}

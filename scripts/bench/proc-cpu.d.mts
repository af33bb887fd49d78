export const TICK_MS: number
export const SERVER_NAMES: string[]
export function processTicks(pid: number, keepOpen?: boolean): number | undefined
export function processWakes(pid: number): number | undefined
export function keepOpenOnly(pids: Iterable<number>): void
export function serverProcesses(): number[][]
export function machineTicks(keepOpen?: boolean): { busy: number; idle: number; steal: number; interrupts: number }

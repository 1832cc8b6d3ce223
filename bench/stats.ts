/** Small statistics helpers for the benchmark (nearest-rank percentiles). */

export interface Summary { n: number, min: number, median: number, p99: number, max: number, mean: number }

export function percentile (values: number[], p: number): number {
  if (values.length === 0) {
    return NaN
  }
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

export function median (values: number[]): number {
  if (values.length === 0) {
    return NaN
  }
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function summarize (values: number[]): Summary {
  return {
    n: values.length,
    min: values.length > 0 ? Math.min(...values) : NaN,
    median: median(values),
    p99: percentile(values, 99),
    max: values.length > 0 ? Math.max(...values) : NaN,
    mean: values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : NaN
  }
}

/** Deterministic PRNG (mulberry32) so that a seed reproduces a topology. */
export function rng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function shuffled<T> (items: T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

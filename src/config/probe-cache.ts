/**
 * Remembers the backend probe per browser, so that later page loads start
 * without measuring again. Re-measured after a browser update or a month.
 */
import type { IProbeResult } from '../engine/runtime/protocol';

const KEY = 'jupyterlab-featureviz:backend-probe:v1';
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

interface IStored {
  readonly userAgent: string;
  readonly savedAt: number;
  readonly probes: IProbeResult[];
}

export function readProbeCache(): IProbeResult[] | undefined {
  try {
    const stored = JSON.parse(
      localStorage.getItem(KEY) ?? 'null'
    ) as IStored | null;
    if (
      stored &&
      stored.userAgent === navigator.userAgent &&
      Date.now() - stored.savedAt < MAX_AGE_MS &&
      Array.isArray(stored.probes)
    ) {
      return stored.probes;
    }
  } catch {
    // Unreadable or blocked storage: measure again.
  }
  return undefined;
}

export function writeProbeCache(probes: readonly IProbeResult[]): void {
  if (probes.length === 0) {
    return;
  }
  try {
    const stored: IStored = {
      userAgent: navigator.userAgent,
      savedAt: Date.now(),
      probes: [...probes]
    };
    localStorage.setItem(KEY, JSON.stringify(stored));
  } catch {
    // Storage full or blocked: the next load measures again.
  }
}

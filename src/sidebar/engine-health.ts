/**
 * The engine's health in words, for the sidebar: its tensor memory (so a
 * leak is visible from the page as users run it), the engine restarts the
 * page made after hangs and faults, and the backends it dropped
 * (docs/architecture.md, "Memory and speed").
 */
import type { IEngineMemory, IEngineStatus } from '../engine/runtime/protocol';

/** 1234567 → "1.2 MB"; under a kilobyte in bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) {
    return `${bytes} B`;
  }
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "12 tensors, 2.4 MB (GPU textures 3.1 MB)". */
export function describeMemory(memory: IEngineMemory): string {
  const tensors = `${memory.numTensors.toLocaleString('en-US')} tensor${
    memory.numTensors === 1 ? '' : 's'
  }`;
  const gpu =
    memory.gpuBytes !== null
      ? ` (GPU textures ${formatBytes(memory.gpuBytes)})`
      : '';
  return `${tensors}, ${formatBytes(memory.numBytes)}${gpu}`;
}

/** Lines about restarts and dropped backends; none when all went well. */
export function describeFaults(status: IEngineStatus): string[] {
  const lines: string[] = [];
  for (const lost of status.lost ?? []) {
    lines.push(`Stopped using ${lost.backend.toUpperCase()}: ${lost.reason}`);
  }
  const restarts = status.restarts ?? 0;
  if (restarts > 0) {
    lines.push(
      `The engine was restarted ${restarts === 1 ? 'once' : `${restarts} times`} after a fault.`
    );
  }
  return lines;
}

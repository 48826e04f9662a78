/**
 * Test support: what jest's jsdom lacks for an output. @lumino/dragdrop
 * extends DragEvent when it loads, so import this before anything that
 * imports @lumino/widgets (as @jupyterlab/testing's jest shim does); the
 * spec's hash encodes with TextEncoder.
 */
import { TextEncoder } from 'util';

if (typeof globalThis.DragEvent === 'undefined') {
  class DragEvent extends MouseEvent {
    readonly dataTransfer: DataTransfer | null = null;
  }
  globalThis.DragEvent = DragEvent as unknown as typeof globalThis.DragEvent;
}
if (typeof globalThis.TextEncoder === 'undefined') {
  globalThis.TextEncoder = TextEncoder as typeof globalThis.TextEncoder;
}

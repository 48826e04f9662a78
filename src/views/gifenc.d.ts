// Types for gifenc 1.0.3 (MIT), which ships none: the functions this
// extension uses to export animations.
declare module 'gifenc' {
  export type Palette = number[][];
  export interface IWriteFrameOptions {
    palette?: Palette;
    delay?: number;
    repeat?: number;
  }
  export interface IGifEncoder {
    writeFrame(
      index: Uint8Array,
      width: number,
      height: number,
      options?: IWriteFrameOptions
    ): void;
    finish(): void;
    bytes(): Uint8Array;
  }
  export function GIFEncoder(): IGifEncoder;
  export function quantize(
    rgba: Uint8Array | Uint8ClampedArray,
    maxColors: number
  ): Palette;
  export function applyPalette(
    rgba: Uint8Array | Uint8ClampedArray,
    palette: Palette
  ): Uint8Array;
}

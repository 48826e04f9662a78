/**
 * The messages of the `featureviz` comm and the arrays they carry
 * (docs/architecture.md, "The kernel bridge"). Arrays travel as binary
 * buffers beside a JSON description ({name, dtype, shape} in buffer order),
 * never as JSON numbers and never in the notebook. The kernel is the user's
 * own process, but what it sends is still checked: a buffer whose length
 * does not match its shape is refused.
 *
 *   page → kernel: open {version}; fetch {request, key};
 *                  result {id, kind, summary, arrays}; failed {id, message}
 *   kernel → page: arrays {request, key, arrays}; error {request, message}
 */
import { FeatureVizError } from '../engine/errors';
import type { Json, JsonObject } from './comm';

export const COMM_TARGET = 'featureviz';
export const WIRE_VERSION = 1;

/** The element types that cross the comm. */
export type WireDtype = 'uint8' | 'int32' | 'float32';

export type WireArray = Uint8Array | Int32Array | Float32Array;

/** An array's description in a message; its bytes are the matching buffer. */
export interface IWireArray {
  readonly name: string;
  readonly dtype: WireDtype;
  readonly shape: readonly number[];
}

/** A named array with its shape. */
export interface INamedArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: WireArray;
}

const CONSTRUCTORS = {
  uint8: Uint8Array,
  int32: Int32Array,
  float32: Float32Array
} as const;

function dtypeOf(data: WireArray): WireDtype {
  return data instanceof Float32Array
    ? 'float32'
    : data instanceof Int32Array
      ? 'int32'
      : 'uint8';
}

/** Arrays as a message's descriptions and buffers (each array's own bytes). */
export function encodeArrays(arrays: readonly INamedArray[]): {
  readonly arrays: IWireArray[];
  readonly buffers: ArrayBuffer[];
} {
  return {
    arrays: arrays.map(a => ({
      name: a.name,
      dtype: dtypeOf(a.data),
      shape: [...a.shape]
    })),
    buffers: arrays.map(
      a =>
        a.data.buffer.slice(
          a.data.byteOffset,
          a.data.byteOffset + a.data.byteLength
        ) as ArrayBuffer
    )
  };
}

/**
 * The arrays a message describes, read from its buffers (copied into
 * aligned arrays of their own: a buffer may start at any byte).
 */
export function decodeArrays(
  described: Json | undefined,
  buffers: readonly ArrayBufferView[]
): INamedArray[] {
  if (!Array.isArray(described) || described.length !== buffers.length) {
    throw new FeatureVizError(
      `The kernel sent ${buffers.length} buffers for ${Array.isArray(described) ? described.length : 'no'} array descriptions.`
    );
  }
  return described.map((item, i) => {
    const { name, dtype, shape } = (item ?? {}) as Record<string, unknown>;
    if (
      typeof name !== 'string' ||
      typeof dtype !== 'string' ||
      !(dtype in CONSTRUCTORS) ||
      !Array.isArray(shape) ||
      !shape.every(d => Number.isInteger(d) && d >= 0)
    ) {
      throw new FeatureVizError(
        `The kernel sent an array description that is not {name, dtype (uint8, int32 or float32), shape}.`
      );
    }
    const Type = CONSTRUCTORS[dtype as WireDtype];
    const view = buffers[i];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (view.byteLength !== count * Type.BYTES_PER_ELEMENT) {
      throw new FeatureVizError(
        `The kernel's array "${name}" has ${view.byteLength} bytes, not the ${count * Type.BYTES_PER_ELEMENT} its shape [${shape.join(', ')}] of ${dtype} needs.`
      );
    }
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const data = new Type(count);
    new Uint8Array(data.buffer).set(bytes);
    return { name, shape: shape as number[], data };
  });
}

/** Messages the kernel sends. */
export type KernelMessage =
  | {
      readonly type: 'arrays';
      readonly request: number;
      readonly key: string;
      readonly arrays: Json;
    }
  | {
      readonly type: 'error';
      readonly request: number;
      readonly message: string;
    };

/** A message from the kernel, checked; null for one this version ignores. */
export function readKernelMessage(data: Json): KernelMessage | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return null;
  }
  const message = data as JsonObject;
  if (typeof message.request !== 'number') {
    return null;
  }
  if (message.type === 'arrays' && typeof message.key === 'string') {
    return {
      type: 'arrays',
      request: message.request,
      key: message.key,
      arrays: message.arrays ?? null
    };
  }
  if (message.type === 'error') {
    return {
      type: 'error',
      request: message.request,
      message:
        typeof message.message === 'string'
          ? message.message
          : 'The kernel could not answer.'
    };
  }
  return null;
}

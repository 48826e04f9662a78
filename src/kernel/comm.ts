/**
 * The part of a Jupyter kernel connection the bridge uses, as plain
 * interfaces: only src/plugins knows JupyterLab's kernel types, and adapts a
 * kernel connection to IKernelLike (docs/architecture.md, "The kernel
 * bridge"). Tests drive the bridge through these with a real kernel's
 * message flow recorded, or with a loop-back.
 */

/** JSON as comms carry it. */
export type Json =
  | string
  | number
  | boolean
  | null
  | readonly Json[]
  | { readonly [key: string]: Json | undefined };

export type JsonObject = { readonly [key: string]: Json | undefined };

/** One message received on a comm: its JSON and its binary buffers. */
export interface ICommMessage {
  readonly data: Json;
  readonly buffers: readonly ArrayBufferView[];
}

export interface ICommHandlers {
  onMessage(message: ICommMessage): void;
  /** The comm closed: from the kernel (no target, a restart) or by close(). */
  onClose(): void;
}

/** An open comm. */
export interface ICommLike {
  send(data: JsonObject, buffers?: readonly ArrayBuffer[]): void;
  close(): void;
}

/** A kernel that comms can be opened to. */
export interface IKernelLike {
  /** The kernel's id (a new kernel after a restart keeps it: see the plugin). */
  readonly id: string;
  /**
   * Opens a comm to the kernel's `target`, sending `data` with the open
   * message. A kernel without the target closes it again at once.
   */
  openComm(
    target: string,
    data: JsonObject,
    handlers: ICommHandlers
  ): ICommLike;
}

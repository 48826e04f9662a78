/**
 * What an engine core is started with (docs/architecture.md, "One engine per
 * page"): the backend choice and probes, where WASM's files and models come
 * from, and, where the core may spread batched work over a pool of engine
 * workers ("Memory and speed"), how to start one and how many.
 */
import type { ImageDecoder } from '../dataset/folder';
import type { FetchLike } from '../model/load';
import type { WasmPaths } from './backends';
import type { BackendChoice, BackendName, IProbeScope } from './capabilities';
import type { IPoolHost } from './pool/pool-size';
import type { IProbeResult } from './protocol';

export interface IEngineCoreOptions {
  readonly choice?: BackendChoice;
  readonly wasmPaths?: WasmPaths;
  readonly fetch?: FetchLike;
  /** Probe results from an earlier session: skip measuring again. */
  readonly cachedProbes?: readonly IProbeResult[];
  readonly scope?: IProbeScope;
  /** Whether this core lives in a Web Worker (reported in the status). */
  readonly worker?: boolean;
  /** Limits the ladder (tests run on WASM and CPU only). */
  readonly candidates?: readonly BackendName[];
  /** Decodes image files (Node tests give one; browsers use their own). */
  readonly decode?: ImageDecoder;
  /**
   * Backends not to use, with why: their context was lost in an engine this
   * one replaces (docs/architecture.md, "One engine per page").
   */
  readonly lost?: readonly {
    readonly backend: BackendName;
    readonly reason: string;
  }[];
  /** Honour testFault() (UI tests inject faults; never on in production). */
  readonly testHooks?: boolean;
  /**
   * The most engine workers batched jobs may use (the `maxWorkers` setting;
   * 0 or absent: as many as the cores allow).
   */
  readonly maxWorkers?: number;
  /**
   * The cores the pool is sized from instead of the machine's, honoured
   * only with testHooks: headless Chromium here reports 2 cores (a pool of
   * one), and the UI tests check a pool of two in a real page.
   */
  readonly testCores?: number;
  /**
   * How this core starts the pool's workers; absent: no pool, every job runs
   * here (on the main thread, and in tests that want one engine).
   */
  readonly pool?: IPoolHost;
}

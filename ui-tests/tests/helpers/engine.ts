/**
 * Reaching the page's Feature Viz engine from a test: Galata returns a
 * plugin's service by id. The types mirror src/engine/runtime/protocol.ts.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';

export interface IProbe {
  backend: string;
  ok: boolean;
  msPerStep?: number;
  warmupMs?: number;
  software?: boolean;
  error?: string;
}

export interface IStatus {
  backend: string | null;
  available: string[];
  reason: string;
  probes: IProbe[];
  worker: boolean;
  /** Engine workers batched jobs use (1: no pool). */
  workers?: number;
}

/** Runs in the page: the URL of one of the extension's static assets. */
export const ASSET_URL_SOURCE = `(path) => {
  const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  return new URL(config.fullLabextensionsUrl + '/jupyterlab-featureviz/static/assets/' + path, location.origin).toString();
}`;

export async function engineStatus(
  page: IJupyterLabPageFixture
): Promise<IStatus> {
  return page.evaluate(async () => {
    const galata = (
      window as unknown as {
        galata: {
          getPlugin(id: string): Promise<{ status(): Promise<unknown> }>;
        };
      }
    ).galata;
    const engine = await galata.getPlugin('jupyterlab-featureviz:engine');
    return (await engine.status()) as IStatus;
  });
}

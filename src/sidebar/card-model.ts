/**
 * The card's outputs' model: one spec held in memory, trusted because the
 * user opened the sidebar and chose the unit (docs/architecture.md, "The
 * explorer"). The output writes its figure back into it as into a notebook's.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MIME_TYPE } from '../spec';
import type { FeatureVizSpec } from '../spec';

export class CardModel implements IRenderMime.IMimeModel {
  readonly trusted = true;
  data: IRenderMime.IMimeModel['data'];
  metadata: IRenderMime.IMimeModel['metadata'] = {};

  constructor(spec: FeatureVizSpec) {
    // The spec is JSON: the MIME bundle's value type says so.
    this.data = {
      [MIME_TYPE]: spec as unknown as IRenderMime.IMimeModel['data'][string]
    };
  }

  setData(options: IRenderMime.IMimeModel.ISetDataOptions): void {
    this.data = options.data ?? this.data;
    this.metadata = options.metadata ?? this.metadata;
  }
}

/**
 * From an attribution result to the panels of its figure
 * (docs/architecture.md, "Views"): the input, then each method's map laid
 * over it on a colour scale with its legend; for occlusion, the percentage
 * change of the unit written on each position, as in the course's occluded
 * 8, and Captum's per-pixel map. Drawing only: the values are the engine's.
 */
import type {
  IInputImage,
  IOcclusionResult,
  ISaliencyMap,
  ISaliencyResult
} from '../engine/attribution/types';
import {
  METHOD_NAMES,
  completenessNote,
  formatPercent,
  formatValue
} from './attribution-words';
import {
  type ColorScale,
  colorize,
  domainOf,
  inputImage,
  overlay
} from './colormap';
import type { IImage } from './frames';
import type { ICellText, IFigureSpec, IPanel } from './panel-layout';

function inputPanel(
  input: IInputImage,
  label: number | null,
  predicted: number | null
): IPanel {
  const known = [
    label !== null ? `label ${label}` : '',
    predicted !== null ? `predicted ${predicted}` : ''
  ].filter(Boolean);
  return {
    title: 'Input',
    image: inputImage(
      input.values,
      input.width,
      input.height,
      input.channels,
      input.range
    ),
    note: known.length ? known.join(', ') : input.name
  };
}

/** A map over the input, on a scale, with its legend. */
function mapPanel(
  base: IImage,
  values: ArrayLike<number>,
  scale: ColorScale,
  opacity: number,
  title: string,
  legend: string,
  note?: string
): IPanel {
  const domain = domainOf(values, scale);
  const colours = colorize(values, base.width, base.height, scale, domain);
  return {
    title,
    image: overlay(base, colours, opacity),
    note,
    legend: { scale, domain, label: legend, format: formatValue }
  };
}

function methodNote(map: ISaliencyMap): string | undefined {
  if (map.completeness) {
    return completenessNote(map.completeness);
  }
  if (map.camLayer && map.lowShape) {
    return `at ${map.camLayer} (${map.lowShape[0]}×${map.lowShape[1]})`;
  }
  return undefined;
}

/** Saliency: the input, then each method side by side. */
export function saliencyFigure(
  result: ISaliencyResult,
  opacity: number
): IFigureSpec {
  const input = inputPanel(result.input, result.label, result.predicted);
  return {
    panels: [
      input,
      ...result.maps.map(map =>
        mapPanel(
          input.image,
          map.map,
          map.signed ? 'diverging' : 'sequential',
          opacity,
          METHOD_NAMES[map.method],
          `attribution to ${result.unit}`,
          methodNote(map)
        )
      )
    ]
  };
}

/**
 * The part of the input each position stands for: the middle `stride`
 * pixels of its square (the whole square when squares sit side by side).
 */
function positionCells(result: IOcclusionResult): ICellText[] {
  const { grid } = result;
  const { height, width } = result.input;
  const inset = Math.floor((grid.size - grid.stride) / 2);
  const cells: ICellText[] = [];
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const y = r * grid.stride + inset;
      const x = c * grid.stride + inset;
      cells.push({
        x,
        y,
        width: Math.min(grid.stride, width - x),
        height: Math.min(grid.stride, height - y),
        text: formatPercent(result.change[r * grid.cols + c])
      });
    }
  }
  return cells;
}

/** Each pixel coloured by the change at the position it belongs to. */
function positionImage(
  result: IOcclusionResult,
  cells: readonly ICellText[]
): Float32Array {
  const { height, width } = result.input;
  const raster = new Float32Array(height * width).fill(NaN);
  cells.forEach((cell, i) => {
    for (let y = cell.y; y < cell.y + cell.height; y++) {
      raster.fill(
        result.change[i],
        y * width + cell.x,
        y * width + cell.x + cell.width
      );
    }
  });
  return raster;
}

/** Occlusion: the input, the change per position, the drop per pixel. */
export function occlusionFigure(
  result: IOcclusionResult,
  opacity: number
): IFigureSpec {
  const input = inputPanel(result.input, result.label, result.predicted);
  const cells = positionCells(result);
  const changes = positionImage(result, cells);
  const domain = domainOf(result.change, 'diverging');
  const colours = colorize(
    changes,
    result.input.width,
    result.input.height,
    'diverging',
    domain
  );
  const { grid } = result;
  const changed =
    result.predictions && result.predicted !== null
      ? Array.from(result.predictions).filter(c => c !== result.predicted)
          .length
      : null;
  return {
    panels: [
      input,
      {
        title: `Change of ${result.unit} when covered`,
        image: overlay(input.image, colours, opacity),
        cells,
        note:
          changed !== null
            ? `prediction changes at ${changed} of ${grid.rows * grid.cols} positions`
            : `${grid.size}×${grid.size} square, stride ${grid.stride}`,
        legend: {
          scale: 'diverging',
          domain,
          label: `change of ${result.unit} (%)`,
          format: formatPercent
        }
      },
      mapPanel(
        input.image,
        result.map,
        'diverging',
        opacity,
        'Mean drop per pixel',
        `${result.unit} − covered`,
        `${grid.size}×${grid.size} square, stride ${grid.stride}, fill ${formatValue(result.fill)}`
      )
    ]
  };
}

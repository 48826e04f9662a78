/**
 * The top-examples view in jsdom: grids sorted as the engine ranked them,
 * captions, patches and boxes, enlarging from the keyboard, the stored
 * result with its values as text, the image written back, and disposal.
 */
import { INITIAL, type IRunState, reduce } from '../run-state';
import {
  installCanvas,
  pixelAt,
  topExamplesResult,
  topExamplesSummary
} from '../testing/fixtures';
import { mountTopExamples } from '../top-examples';

installCanvas();

const running: IRunState = reduce(reduce(INITIAL, { type: 'submit' }), {
  type: 'running',
  backend: 'wasm'
});

const cells = (host: HTMLElement) =>
  [...host.querySelectorAll('.jp-FeatureViz-example')] as HTMLButtonElement[];

function mount(patches = false, run: IRunState = running) {
  const host = document.createElement('div');
  document.body.appendChild(host);
  const view = mountTopExamples(host, {
    filename: 'top',
    unit: 'logit 8',
    patches,
    scale: 2
  });
  view.setRun(run);
  return { host, view };
}

describe('top-examples view', () => {
  it('shows the top and bottom grids in rank order, each example captioned', () => {
    const { host, view } = mount();
    const result = topExamplesResult({ bottom: true });
    view.showResult?.(result, topExamplesSummary(result));
    const titles = [...host.querySelectorAll('.jp-FeatureViz-example-title')];
    expect(titles.map(t => t.textContent)).toEqual([
      'Top 3: most exciting for logit 8',
      'Bottom 3: least exciting'
    ]);
    expect(cells(host).map(c => c.dataset.index)).toEqual([
      '100',
      '101',
      '102',
      '500',
      '501',
      '502'
    ]);
    const values = cells(host)
      .slice(0, 3)
      .map(c => Number(c.dataset.value));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(
      cells(host)
        .slice(0, 2)
        .map(c => [
          c.getAttribute('aria-label'),
          c.querySelector('.jp-FeatureViz-cell-label')?.textContent,
          c.querySelector('.jp-FeatureViz-cell-value')?.textContent
        ])
    ).toEqual([
      [
        '#1: example 100, value 9.5, label 0, pred 1: enlarge',
        '#1 · 9.5',
        'label 0 · pred 1'
      ],
      [
        '#2: example 101, value 8.5, label 1, pred 2: enlarge',
        '#2 · 8.5',
        'label 1 · pred 2'
      ]
    ]);
    // Small examples are drawn pixelated at the chosen scale.
    const canvas = cells(host)[0].querySelector('canvas') as HTMLCanvasElement;
    expect([canvas.width, canvas.height]).toEqual([3, 4]);
    expect(canvas.style.width).toBe('6px');
    expect(host.querySelector('[role=status]')?.textContent).toMatch(
      /^Running/
    );
    view.dispose();
  });

  it('switches between whole examples with their box and the patches', () => {
    const { host, view } = mount(true);
    const result = topExamplesResult({ patches: true });
    view.showResult?.(result, topExamplesSummary(result));
    const toggle = host.querySelector('[aria-pressed]') as HTMLButtonElement;
    expect(toggle.hidden).toBe(false);
    // Starts with patches (the spec asked): 2×2, no box over them.
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    const canvas = () =>
      cells(host)[1].querySelector('canvas') as HTMLCanvasElement;
    expect([canvas().width, canvas().height]).toEqual([2, 2]);
    const box = cells(host)[1].querySelector(
      '.jp-FeatureViz-rf-box'
    ) as HTMLElement;
    expect(box.hidden).toBe(true);
    toggle.click();
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    expect([canvas().width, canvas().height]).toEqual([3, 4]);
    // The box: rows 1–3, columns 0–2, at scale 2.
    expect(box.hidden).toBe(false);
    expect([
      box.style.top,
      box.style.left,
      box.style.width,
      box.style.height
    ]).toEqual(['2px', '0px', '4px', '4px']);
    view.dispose();
  });

  it('enlarges an example from the keyboard and closes on Escape', () => {
    const { host, view } = mount();
    const result = topExamplesResult({ patches: true });
    view.showResult?.(result, topExamplesSummary(result));
    const detail = host.querySelector(
      '.jp-FeatureViz-example-detail'
    ) as HTMLElement;
    expect(detail.hidden).toBe(true);
    cells(host)[2].click(); // a button: Enter and Space click it
    expect(detail.hidden).toBe(false);
    expect(document.activeElement).toBe(detail);
    expect(detail.textContent).toContain(
      '#3: example 102, value 7.5, label 2, pred 0'
    );
    // The whole image and its patch, larger.
    expect(detail.querySelectorAll('canvas')).toHaveLength(2);
    detail.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(detail.hidden).toBe(true);
    view.dispose();
  });

  it('writes back its grids: top, then bottom', () => {
    const { view } = mount();
    expect(view.figure()).toBeNull();
    const result = topExamplesResult({ k: 2, bottom: true });
    view.showResult?.(result, topExamplesSummary(result));
    const figure = view.figure();
    if (!figure || !('canvas' in figure)) {
      throw new Error('no drawn figure');
    }
    // A white sheet: per section a title, then cells 64 pixels wide (the
    // 3×4 examples at scale 2, centred) with two caption lines under them.
    expect([figure.width, figure.height]).toEqual([146, 134]);
    const pixel = (x: number, y: number) => pixelAt(figure.canvas, x, y)[0];
    expect(pixel(0, 0)).toBe(255);
    expect([
      pixel(37, 28),
      pixel(107, 28),
      pixel(37, 92),
      pixel(107, 92)
    ]).toEqual([10, 11, 50, 51]);
    expect(view.animation()).toBeNull();
  });

  it('shows a saved result with its values as text, and forgets it on a new run', () => {
    const stored = reduce(INITIAL, { type: 'stored' });
    const { host, view } = mount(false, stored);
    const png = 'iVBORw0KGgo=';
    view.showStored(
      { png, gif: null },
      topExamplesSummary(topExamplesResult({ bottom: true }))
    );
    expect(host.querySelector('img')?.getAttribute('src')).toBe(
      `data:image/png;base64,${png}`
    );
    const items = [...host.querySelectorAll('li')].map(li => li.textContent);
    expect(items[0]).toBe('#1: example 100, value 9.5, label 0, pred 1');
    expect(items).toHaveLength(6);
    // A PNG that the save button can offer even without a live result.
    const save = host.querySelector(
      '[aria-label="Save the image as PNG"]'
    ) as HTMLButtonElement;
    expect(save.disabled).toBe(false);
    view.setRun(reduce(stored, { type: 'submit' }));
    expect(host.querySelector('img')).toBeNull();
    expect(cells(host)).toHaveLength(0);
    view.dispose();
    expect(host.children).toHaveLength(0);
  });

  it('says how many unreadable files the ranking skipped', () => {
    const { host, view } = mount();
    const result = topExamplesResult();
    view.showResult?.(result, { ...topExamplesSummary(result), skipped: 2 });
    expect(host.querySelector('.jp-FeatureViz-saved')?.textContent).toBe(
      '2 unreadable files skipped'
    );
    view.dispose();
  });

  it('ignores results of other kinds and has no frames', () => {
    const { host, view } = mount();
    view.pushFrame({} as never);
    view.showResult?.({ kind: 'other' } as never, topExamplesSummary());
    expect(cells(host)).toHaveLength(0);
    view.dispose();
  });
});

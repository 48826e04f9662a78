/**
 * A user's own PyTorch model in a real JupyterLab: `fv.Model.from_torch` on
 * a small residual network defined in the kernel, a channel of one of its
 * layers (named by module path) visualized in the page, and the model sent
 * over the comm once: re-running the cell asks the kernel for nothing (the
 * kernel counts the comm's messages).
 */
import { expect, test } from '@jupyterlab/galata';
import {
  FeatureVizHelper,
  pixelVariance,
  putCell
} from '../helpers/featureviz';

const NETWORK = `import json, torch, torch.nn as nn, torch.nn.functional as F
import featureviz as fv
from featureviz import _comm

class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.relu(self.conv2(self.relu(self.bn1(self.conv1(x)))) + x)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.layer1 = nn.Sequential(Block(8), Block(8))
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        x = self.layer1(F.relu(self.stem(x)))
        x = torch.cat([x, F.relu(x)], 1)
        return self.head(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

torch.manual_seed(0)
net = fv.Model.from_torch(Net(), (3, 32, 32), mean=0.5, std=0.25)`;

test.describe('user models', () => {
  test.setTimeout(180000);

  test('from_torch → view renders; re-running sends the model once', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    await page.notebook.createNew('user-model.ipynb');
    await putCell(page, 0, NETWORK);
    // Importing torch takes a while: the next cell waits for it.
    await page.notebook.runCell(0, true);
    await putCell(
      page,
      1,
      'fv.gradient_ascent(net, "layer1.1.conv2", channel=2, steps=24)'
    );
    await page.notebook.runCell(1, true);
    const output = fv.output(1);
    await expect(output).toHaveAttribute('data-state', 'done', {
      timeout: 120000
    });
    // The player shows the last frame at the animation's pace, after "done".
    await expect.poll(() => pixelVariance(output)).toBeGreaterThan(10);

    const counts = async (): Promise<Record<string, number>> => {
      const index = await page.notebook.getCellCount();
      await putCell(page, index, 'print(json.dumps(dict(_comm.counts)))');
      await page.notebook.runCell(index, true);
      const text = await page
        .locator('.jp-Notebook .jp-Cell')
        .nth(index)
        .locator('.jp-OutputArea-output')
        .last()
        .textContent();
      return JSON.parse(text ?? '{}') as Record<string, number>;
    };
    const before = await counts();
    expect(before['sent:arrays']).toBe(1);

    await page.notebook.runCell(1, true);
    await expect(fv.output(1)).toHaveAttribute('data-state', 'done', {
      timeout: 120000
    });
    const after = await counts();
    expect(after['sent:arrays']).toBe(1);
    expect(after['received:fetch']).toBe(before['received:fetch']);
  });
});

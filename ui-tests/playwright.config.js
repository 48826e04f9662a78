/**
 * Playwright configuration: Galata's defaults, Debian's Chromium (no browser
 * download), a JupyterLab server and a Notebook 7 server started for the run.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const chromiumArgs = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  // A software WebGL2 (SwiftShader) where there is no GPU.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist'
];

// Ports can be moved (FEATUREVIZ_LAB_PORT, FEATUREVIZ_NOTEBOOK_PORT) so that
// two checkouts can run their UI tests side by side.
const LAB_PORT = process.env.FEATUREVIZ_LAB_PORT || '8888';
const NOTEBOOK_PORT = process.env.FEATUREVIZ_NOTEBOOK_PORT || '8889';
// JupyterLab under its own CSP test configuration (a sandboxed page).
const CSP_PORT =
  process.env.FEATUREVIZ_CSP_PORT || String(Number(LAB_PORT) + 2);
const LAB_URL = `http://127.0.0.1:${LAB_PORT}`;
const NOTEBOOK_URL = `http://127.0.0.1:${NOTEBOOK_PORT}`;
const CSP_URL = `http://127.0.0.1:${CSP_PORT}`;

module.exports = {
  ...baseConfig,
  // 'list' in CI too: its per-test durations show where CI's time goes.
  reporter: [['list']],
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  use: {
    ...baseConfig.use,
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: chromiumArgs
    }
  },
  projects: [
    {
      name: 'jupyterlab',
      testDir: './tests/lab',
      use: { baseURL: LAB_URL }
    },
    {
      name: 'notebook7',
      testDir: './tests/notebook',
      use: { baseURL: NOTEBOOK_URL }
    },
    {
      // The hostile cases again, in a page served with
      // "Content-Security-Policy: sandbox allow-scripts".
      name: 'jupyterlab-csp',
      testDir: './tests/lab',
      testMatch: 'hostile.spec.ts',
      use: { baseURL: CSP_URL }
    }
  ],
  webServer: [
    {
      command: `jlpm start --port ${LAB_PORT}`,
      url: `${LAB_URL}/lab`,
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      command: `jupyter notebook --config jupyter_server_test_config.py --port ${NOTEBOOK_PORT}`,
      url: `${NOTEBOOK_URL}/tree`,
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      command: `jupyter lab --config jupyter_server_csp_test_config.py --port ${CSP_PORT}`,
      url: `${CSP_URL}/lab`,
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    }
  ]
};

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

const LAB_URL = 'http://127.0.0.1:8888';
const NOTEBOOK_URL = 'http://127.0.0.1:8889';

module.exports = {
  ...baseConfig,
  reporter: [[process.env.CI ? 'line' : 'list']],
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
    }
  ],
  webServer: [
    {
      command: 'jlpm start',
      url: `${LAB_URL}/lab`,
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      command: 'jlpm start:notebook',
      url: `${NOTEBOOK_URL}/tree`,
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    }
  ]
};

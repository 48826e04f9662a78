/**
 * Unit tests. The engine and the spec run in Node (tfjs CPU and WASM backends);
 * views run in jsdom. Galata covers what needs a real JupyterLab.
 */
const os = require('os');

// Transpile only: `jlpm typecheck:tests` (part of lint) checks the types.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
const common = {
  transform: { '^.+\\.tsx?$': tsJest },
  modulePathIgnorePatterns: [
    '<rootDir>/featureviz/',
    '<rootDir>/lib/',
    '<rootDir>/.venv/',
    '<rootDir>/ui-tests/'
  ]
};

module.exports = {
  testTimeout: 120000,
  // Jest's default (cores − 1) is one worker on a two-core CI machine; the
  // engine's specs are single-threaded computation, so one worker per core.
  maxWorkers: Math.max(2, os.cpus().length - 1),
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      testMatch: [
        '<rootDir>/src/engine/**/__tests__/**/*.spec.ts',
        '<rootDir>/src/spec/**/__tests__/**/*.spec.ts',
        '<rootDir>/src/config/**/__tests__/**/*.spec.ts'
      ],
      ...common
    },
    {
      displayName: 'dom',
      testEnvironment: 'jsdom',
      testMatch: [
        '<rootDir>/src/views/**/__tests__/**/*.spec.ts',
        '<rootDir>/src/output/**/__tests__/**/*.spec.ts',
        '<rootDir>/src/sidebar/**/__tests__/**/*.spec.ts',
        '<rootDir>/src/kernel/**/__tests__/**/*.spec.ts'
      ],
      ...common
    }
  ]
};

// ESLint flat config. Besides style, it enforces the layers of
// docs/architecture.md ("Layers"):
//   plugins → (views, sidebar, kernel) → spec → engine → tfjs
// so that the engine stays testable in Node and views never compute.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';

// Packages that carry JupyterLab's plugin tokens and application objects.
// Only src/plugins may import them.
const TOKEN_PACKAGES = [
  '@jupyterlab/application',
  '@jupyterlab/apputils',
  '@jupyterlab/docmanager',
  '@jupyterlab/filebrowser',
  '@jupyterlab/mainmenu',
  '@jupyterlab/notebook',
  '@jupyterlab/rendermime',
  '@jupyterlab/settingregistry',
  '@jupyterlab/statedb',
  '@jupyterlab/translation'
];

const tokenRule = {
  group: TOKEN_PACKAGES,
  message:
    'Only src/plugins may use JupyterLab tokens and application objects (docs/architecture.md, "Layers"); pass what you need in as plain values.'
};

const upward = (layer, forbidden) => ({
  group: forbidden.flatMap(name => [`**/${name}`, `**/${name}/**`]),
  message: `src/${layer} may not import from ${forbidden.join(', ')}: dependencies point one way (docs/architecture.md, "Layers").`
});

// Browser globals the engine must not touch: it runs in Node tests and in a worker.
const DOM_GLOBALS = [
  'window',
  'document',
  'HTMLElement',
  'HTMLCanvasElement',
  'HTMLImageElement',
  'Image',
  'localStorage',
  'sessionStorage',
  'requestAnimationFrame',
  'customElements'
].map(name => ({
  name,
  message:
    'src/engine is pure (no DOM): it runs in Node tests and in a Web Worker.'
}));

const restrict = patterns => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }]
});

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '**/node_modules',
      'dist',
      'coverage',
      'lib',
      'featureviz',
      '.venv',
      '**/*.js',
      '**/*.d.ts',
      'ui-tests/test-results',
      'ui-tests/playwright-report',
      'bench/.build',
      'bench/models'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } }
  },
  {
    // Functions passed to page.evaluate run in the browser.
    files: ['bench/run.mjs', 'bench/pca.mjs', 'scripts/screenshots.mjs'],
    languageOptions: { globals: { ...globals.browser } }
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      // No rule here needs type information, so files are parsed alone: fast,
      // and tests or fixtures outside tsconfig.json lint the same way.
      globals: { ...globals.browser, ...globals.es2021, ...globals.node }
    },
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'none', varsIgnorePattern: '^_', ignoreRestSiblings: true }
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' }
      ],
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  // Every layer but plugins: no JupyterLab tokens.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/plugins/**', 'src/index.ts'],
    rules: restrict([tokenRule, upward('*', ['plugins'])])
  },
  // The engine: pure TypeScript + tfjs.
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      ...restrict([
        {
          group: ['@jupyterlab/*', '@lumino/widgets', '@lumino/dragdrop'],
          message:
            'src/engine may not import JupyterLab or Lumino widgets: it is pure TypeScript + tfjs (docs/architecture.md, "Layers").'
        },
        upward('engine', ['plugins', 'views', 'sidebar', 'kernel']),
        {
          // The spec's generated types and defaults are the exception: leaves
          // with no imports, the wire contract every layer may read.
          regex: '(^|/)spec(/(?![\\w-]+\\.generated$).*)?$',
          message:
            'src/engine may read only the generated files of src/spec (types and defaults): the rest of the spec sits above it, and dependencies point one way.'
        }
      ]),
      'no-restricted-globals': ['error', ...DOM_GLOBALS]
    }
  },
  // The spec: types and validation, below views, above the engine.
  {
    files: ['src/spec/**/*.ts'],
    rules: restrict([
      tokenRule,
      {
        group: ['@lumino/widgets', '@tensorflow/*'],
        message: 'src/spec holds types and validation only.'
      },
      upward('spec', ['plugins', 'views', 'sidebar', 'kernel'])
    ])
  },
  // Views draw; they never compute, so tfjs is allowed for types only.
  {
    files: ['src/views/**/*.ts'],
    rules: restrict([
      tokenRule,
      {
        group: ['@tensorflow/*'],
        allowTypeImports: true,
        message:
          'src/views may not run tfjs: views draw what the engine computed (docs/architecture.md, "Layers"). Type imports are fine.'
      },
      upward('views', ['plugins', 'sidebar', 'kernel']),
      {
        group: ['**/engine', '**/engine/**'],
        allowTypeImports: true,
        message:
          'src/views may use engine types but never run the engine: views draw what it computed (docs/architecture.md, "Layers").'
      }
    ])
  },
  {
    files: ['src/sidebar/**/*.ts', 'src/kernel/**/*.ts'],
    rules: restrict([
      tokenRule,
      {
        group: ['@tensorflow/*'],
        allowTypeImports: true,
        message:
          'Only src/engine runs tfjs; other layers talk to the engine service.'
      },
      upward('sidebar or kernel', ['plugins'])
    ])
  },
  {
    // Generated from the spec schema; its names follow the schema's titles.
    files: ['src/spec/types.generated.ts'],
    rules: { '@typescript-eslint/naming-convention': 'off' }
  },
  {
    files: ['src/**/__tests__/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } }
  },
  prettierRecommended
);

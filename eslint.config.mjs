import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

/**
 * Which folders of src/ may not import which: the layering drawn in docs/architecture.md ("Layers").
 * Lower layers know nothing of the ones above; `src/app.ts` is the composition root and only
 * `src/main.ts` imports it.
 */
const folder = (name) => `./src/${name}`;
const layer = (target, from, extra = {}) => ({
  target: folder(target),
  from: from.map(folder),
  message: `src/${target}/ sits below these folders (docs/architecture.md, "Layers")`,
  ...extra,
});
const LAYERS = [
  {
    target: './src/*/**/*',
    from: './src/app.ts',
    message: 'only src/main.ts builds the scaler from src/app.ts',
  },
  layer('util', [
    'config',
    'sources',
    'store',
    'anomaly',
    'forecast',
    'decision',
    'metrics',
    'server',
    'sim',
    'capacity',
    'cli',
  ]),
  layer('config', [
    'sources',
    'store',
    'anomaly',
    'forecast',
    'decision',
    'metrics',
    'server',
    'sim',
    'capacity',
    'cli',
  ]),
  layer('metrics', [
    'sources',
    'store',
    'anomaly',
    'forecast',
    'decision',
    'server',
    'sim',
    'capacity',
    'cli',
  ]),
  layer('anomaly', [
    'sources',
    'store',
    'forecast',
    'decision',
    'metrics',
    'server',
    'sim',
    'capacity',
    'cli',
  ]),
  // Sources and the store speak of series, the one type they take from forecast/.
  layer('sources', ['store', 'anomaly', 'decision', 'metrics', 'server', 'sim', 'capacity', 'cli']),
  { ...layer('sources', ['forecast']), except: ['./types.ts'] },
  layer('store', ['sources', 'anomaly', 'decision', 'metrics', 'server', 'sim', 'capacity', 'cli']),
  { ...layer('store', ['forecast']), except: ['./types.ts'] },
  layer('forecast', ['decision', 'server', 'sim', 'capacity', 'cli']),
  layer('decision', ['store', 'metrics', 'server', 'sim', 'capacity', 'cli']),
  layer('server', ['sim', 'capacity', 'cli']),
  layer('sim', ['server', 'capacity', 'cli']),
  layer('capacity', ['sim', 'cli']),
  {
    target: './src',
    from: './bench',
    message: 'bench/ is not built into dist/: src/ may not import it (docs/benchmarks.md)',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'charts/', '.tmp/', 'out/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    settings: {
      'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import/extensions': ['.ts', '.js'],
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import/no-cycle': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' },
        { object: 'describe', property: 'only' },
        { object: 'test', property: 'only' },
      ],
    },
  },
  {
    // Tests may wire layers together (the server-simulator parity test does); shipped code may not.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/**/*.conformance.ts', 'src/**/*.fixtures.ts'],
    rules: { 'import/no-restricted-paths': ['error', { zones: LAYERS }] },
  },
);

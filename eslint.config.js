import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layering } from './layering.config.js';

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', '.stack/', 'dist/', 'bin/', 'bench/out/', '.venv*/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
  {
    // The console's browser script.
    files: ['src/runtime/http/assets/**/*.js'],
    languageOptions: {
      globals: { document: 'readonly', location: 'readonly', fetch: 'readonly' },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layering,
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layering } from './layering.config.js';

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', '.stack/', 'dist/', 'bin/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layering,
);

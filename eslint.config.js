import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', '.stack/', 'dist/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Layering (DESIGN.md): the pure core never touches Kafka or the database directly.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/domain/**', 'src/matching/**', 'src/flows/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['kafkajs', 'knex', 'pg', '**/connectors/**', '@kafkajs/*'] },
      ],
    },
  },
);

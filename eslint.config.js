import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'deploy/local/.stack/', 'test/bench/results/', 'coverage/', '.tools/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // ingress and processor never import each other (DESIGN.md §2); both may import schemas/.
    files: ['ingress/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/processor/**'] }] },
  },
  {
    files: ['processor/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/ingress/**'] }] },
  },
  {
    files: ['schemas/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/ingress/**', '**/processor/**', '**/test/**'] }] },
  },
  prettier,
);

import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Layers import only downward (docs/architecture.md, "Layout"):
 *   schemas/ ← common/ ← ingress/, processor/, cli/        sim/ (simulators) uses schemas/ and common/
 * ingress, processor and cli never import each other; nothing outside test/ imports test/.
 */
const layer = (message, ...groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map((group) => ({ group, message })) }],
});
const ours = (...names) => names.map((n) => `**/${n}/**`);

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'deploy/local/.stack/', 'test/bench/results/', 'coverage/', '.tools/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      'no-console': 'off',
    },
  },
  {
    // Tests read untyped JSON (response bodies, metrics, records) on purpose; asserting on `any` there is the point.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['schemas/**/*.ts'],
    rules: layer(
      'schemas/ is the contract: it imports nothing of ours and no runtime library (zod, pino, kafkajs)',
      [...ours('common', 'ingress', 'processor', 'cli', 'sim', 'test', 'deploy')],
      ['zod', 'pino', 'kafkajs'],
    ),
  },
  {
    files: ['common/**/*.ts'],
    rules: layer('common/ imports only schemas/', [...ours('ingress', 'processor', 'cli', 'sim', 'test', 'deploy')]),
  },
  {
    files: ['ingress/**/*.ts'],
    rules: layer('ingress/ imports only schemas/ and common/', [...ours('processor', 'cli', 'sim', 'test', 'deploy')]),
  },
  {
    files: ['processor/**/*.ts'],
    rules: layer('processor/ imports only schemas/ and common/', [...ours('ingress', 'cli', 'sim', 'test', 'deploy')]),
  },
  {
    files: ['cli/**/*.ts'],
    rules: layer('cli/ imports only schemas/ and common/', [...ours('ingress', 'processor', 'sim', 'test', 'deploy')]),
  },
  {
    files: ['sim/**/*.ts'],
    rules: layer(
      'sim/ (simulators) imports schemas/ and common/, and only the bundled vendor schema files from processor/',
      [
        ...ours('ingress', 'cli', 'test', 'deploy'),
        '**/processor/**',
        // gitignore semantics: a file can be re-included only when its folder is not excluded
        '!**/processor/commercetools/',
        '!**/processor/commercetools/schema-file.js',
        '!**/processor/fluent/',
        '!**/processor/fluent/schema-file.js',
      ],
    ),
  },
  {
    files: ['deploy/**/*.ts', 'deploy/**/*.mjs'],
    rules: layer('deploy/ and the image never depend on test/', [...ours('test')]),
  },
  prettier,
);

import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.lms/**', 'helm/**', 'terraform/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read env only in config.ts / server.ts' }],
    },
  },
  {
    files: ['**/config.ts', '**/server.ts', '**/migrate*.ts', 'scripts/**', '**/test/**', 'e2e/**', '**/bench/**', '**/cli/**', 'packages/kit/src/testing/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
)

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `npm run typecheck`; tests only transpile.
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  // Suites that share PostgreSQL or Redis each get their own schema or key prefix,
  // so they can run in parallel; two workers match the two cores this runs on.
  maxWorkers: 2,
  // Name every test, so the output shows each store suite ran on sqlite and on postgres.
  verbose: true,
};

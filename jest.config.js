/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `npm run typecheck`; tests only transpile.
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }],
    // ES-module-only dependencies (fastify's inject needs cookie@2, Swagger UI content-disposition@3):
    // Node 20.19+ requires them natively, jest's module registry needs them as CommonJS.
    '^.+/node_modules/(cookie|content-disposition)/.+\\.js$': ['ts-jest', { tsconfig: { isolatedModules: true, allowJs: true }, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  // Suites that share PostgreSQL or Redis each get their own schema or key prefix,
  // so they can run in parallel; two workers match the two cores this runs on.
  maxWorkers: 2,
  // Name every test, so the output shows each store suite ran on sqlite and on postgres.
  verbose: true,
};

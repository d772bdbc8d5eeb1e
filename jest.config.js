/**
 * Two projects: `unit` needs no Redis, RabbitMQ or Prometheus and runs anywhere; `integration` talks
 * to the real servers, which its global setup checks for. `npm test` runs both; `npm run test:unit`
 * runs only the first.
 */
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option in Jest 29 (a project's own testTimeout is ignored): it applies to both projects.
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/bench'],
      testMatch: [
        '<rootDir>/src/**/*.test.ts',
        '<rootDir>/test/presets.test.ts',
        '<rootDir>/bench/**/*.test.ts',
      ],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};

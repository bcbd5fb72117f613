// vitest.global-setup.ts
import type { TestProject } from 'vitest/node';
import { startMockServer } from '../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mockUrl: string;
  }
}

/** One mock provider for the whole run, on a free port; test files reach it by its URL. */
export default async function setup(project: TestProject) {
  const mock = await startMockServer({ port: 0, accessTtl: 60, reuseGrace: 2 });
  project.provide('mockUrl', mock.url);
  return () => mock.close();
}

/**
 * Starts the stand-in upstream (a real HTTP server speaking each provider's
 * dialect) for the workerd tests and hands its address to the worker's config.
 */
import type { TestProject } from 'vitest/node';
import { startStandin } from './support/standin/server.ts';

declare module 'vitest' {
  interface ProvidedContext {
    standinUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const standin = await startStandin();
  project.provide('standinUrl', standin.url);
  return () => standin.close();
}

/**
 * One `npm run dev` for every e2e file, launched when the run starts: it boots
 * while the unit and integration projects test, and the e2e files (which run
 * after them) wait until it answers.
 */
import type { TestProject } from 'vitest/node';
import { launchDevServer } from './dev-server-process.ts';

declare module 'vitest' {
  interface ProvidedContext {
    devServerUrl: string;
    devServerLog: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await launchDevServer();
  project.provide('devServerUrl', server.url);
  project.provide('devServerLog', server.logPath);
  return () => server.stop();
}

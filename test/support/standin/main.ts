// CLI: node test/support/standin/main.ts [--port 8788] [--host 127.0.0.1]
// Runs the stand-in upstream for local development and benchmarks until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startStandin } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8788' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

const standin = await startStandin({ port, host: values.host });
console.log(`stand-in upstream listening on ${standin.url}`);

const stop = (): void => {
  standin.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

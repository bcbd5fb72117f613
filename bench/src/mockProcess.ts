/**
 * Runs one mock server in its own process, so that its work never shares an event loop with the
 * code being measured. Options come as JSON in argv[2]; the URL goes to stdout as one JSON line.
 * It exits on SIGTERM or when its parent goes away (stdin closes).
 */
import { type MockServerOptions, startMockServer } from '@baton/mock-server';

const options = JSON.parse(process.argv[2] ?? '{}') as MockServerOptions;
const server = await startMockServer({ ...options, port: 0, host: '127.0.0.1', log: false });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();

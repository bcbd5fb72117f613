import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FaultSpec, MockServerOptions, MockStats } from '@baton/mock-server';
import { CIAM } from './config.js';

/** A mock server in a child process, driven through its HTTP test hooks. */
export interface Mock {
  readonly url: string;
  stats(): Promise<MockStats>;
  faults(spec: FaultSpec | readonly FaultSpec[]): Promise<void>;
  /** A password sign-in as the demo user on the CIAM route: the raw JSON answer. */
  signIn(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const script = fileURLToPath(new URL('./mockProcess.ts', import.meta.url));

export async function startMock(options: MockServerOptions = {}): Promise<Mock> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', script, JSON.stringify(options)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('mock server did not start in 20 s')), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`mock server exited (${code})`)));
  });
  const post = async (path: string, body: string, type: string) => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  return {
    url,
    stats: async () => (await (await fetch(`${url}/__mock/stats`)).json()) as MockStats,
    faults: async (spec) => {
      await post('/__mock/faults', JSON.stringify(spec), 'application/json');
    },
    signIn: () =>
      post(
        CIAM.path,
        new URLSearchParams({
          grant_type: 'password',
          username: CIAM.username,
          password: CIAM.password,
          client_id: CIAM.clientId,
          client_secret: CIAM.clientSecret,
        }).toString(),
        'application/x-www-form-urlencoded',
      ),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

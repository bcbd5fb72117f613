import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { AppEnv, Deps } from './context.js';
import type { FaultSpec, LatencyFault, RequestTraits } from './faults.js';
import { alreadySent, json } from './http.js';

/** How a route answers the faults that replace its answer. */
export interface FaultAnswers {
  /** The route's own error shape for an injected status. */
  status(
    status: number,
    error: string | undefined,
  ): { status: number; body: unknown; headers?: Readonly<Record<string, string>> };
  readonly sampleBody: unknown;
  readonly wrongTypesBody: unknown;
}

const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>' +
  '<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n';

/**
 * Runs a request under the pending faults: first an injected delay (a client that leaves during
 * it is dropped unprocessed: a request lost in transit commits nothing), then at most one fault
 * that changes the answer.
 */
export async function withFaults(
  c: Context<AppEnv>,
  deps: Deps,
  traits: RequestTraits,
  answers: FaultAnswers,
  handle: () => Promise<Response>,
): Promise<Response> {
  const { faults, stats } = deps;
  const dialect = traits.dialect;
  const latency = faults.takeLatency(traits);
  if (latency !== undefined) {
    stats.count('faultsServed', dialect);
    if (!(await delayWhileConnected(latency, c.env.outgoing, deps.closing))) {
      stats.count('droppedInFlight', dialect);
      c.set('note', `${c.get('note') ?? ''} dropped: client left during injected latency`.trim());
      return alreadySent();
    }
  }
  const outcome = faults.takeOutcome(traits);
  if (outcome === undefined) return handle();
  stats.count('faultsServed', dialect);
  return answerFault(c, outcome, answers, handle);
}

async function answerFault(
  c: Context<AppEnv>,
  fault: Exclude<FaultSpec, LatencyFault>,
  answers: FaultAnswers,
  handle: () => Promise<Response>,
): Promise<Response> {
  const note = (what: string) => c.set('note', `${c.get('note') ?? ''} fault: ${what}`.trim());
  if ('dropAfterCommit' in fault) {
    await handle();
    note('dropped after commit');
    // The server did its work; the client only sees the connection die.
    c.env.incoming.socket.destroy();
    return alreadySent();
  }
  if ('malformed' in fault) {
    note(`malformed ${fault.malformed}`);
    const status = fault.status ?? 200;
    switch (fault.malformed) {
      case 'html':
        return new Response(HTML_PAGE, {
          status,
          headers: { 'Content-Type': 'text/html; charset=utf-8' },
        });
      case 'empty':
        return new Response('', {
          status,
          headers: { 'Content-Type': 'application/json;charset=UTF-8' },
        });
      case 'truncated': {
        const full = JSON.stringify(answers.sampleBody);
        return new Response(full.slice(0, Math.floor(full.length / 2)), {
          status,
          headers: { 'Content-Type': 'application/json;charset=UTF-8' },
        });
      }
      case 'wrong-types':
        return json(status, answers.wrongTypesBody);
    }
  }
  note(`status ${fault.status}`);
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
  if (fault.body === 'plain') {
    return json(
      fault.status,
      { error: fault.error ?? 'injected_fault', status: fault.status },
      headers,
    );
  }
  const rendered = answers.status(fault.status, fault.error);
  return json(rendered.status, rendered.body, { ...rendered.headers, ...headers });
}

/** Resolves true after `ms`, or false as soon as the client disconnects or the server closes. */
function delayWhileConnected(
  fault: LatencyFault,
  outgoing: ServerResponse,
  closing: AbortSignal,
): Promise<boolean> {
  if (outgoing.destroyed || closing.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (alive: boolean): void => {
      clearTimeout(timer);
      outgoing.off('close', onClose);
      closing.removeEventListener('abort', onClose);
      resolve(alive);
    };
    const onClose = (): void => done(false);
    const timer = setTimeout(() => done(true), fault.latencyMs);
    outgoing.on('close', onClose);
    closing.addEventListener('abort', onClose);
  });
}

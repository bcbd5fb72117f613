import { BatonError } from './errors.js';

/** The error for a caller's AbortSignal. */
export const abortError = (): BatonError => new BatonError('aborted', 'Aborted');

/** Settles with `promise`, or rejects with `aborted` as soon as `signal` fires. */
export function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {}); // the caller leaves; the work's own failure must not go unhandled
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * One signal for two bounds (no need for `AbortSignal.any`): it aborts when `signal` does, or
 * after `ms`. `timedOut()` says whether the time ran out first; `done()` stops the timer and lets
 * go of `signal`.
 */
export function bounded(ms: number, signal: AbortSignal | undefined) {
  const controller = new AbortController();
  let timedOut = false;
  const stop = () => controller.abort();
  const timer = setTimeout(() => {
    timedOut = !controller.signal.aborted;
    stop();
  }, ms);
  signal?.addEventListener('abort', stop);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    },
  };
}

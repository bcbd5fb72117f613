import { BatonError } from './errors.js';

/** The error for a caller's AbortSignal. */
export const abortError = (): BatonError => new BatonError('aborted', 'The operation was aborted');

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

/** Resolves after `ms`, or early when `wake` is called; rejects with `aborted` on `signal`. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return withSignal(new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))), signal);
}

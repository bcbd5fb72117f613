/**
 * A page holding one of Baton's two refresh locks alone (no manager): `?kind=web-locks|broadcast`,
 * `&channel=` its name. The locks are internal modules of @baton/core, imported from its source.
 */
import type { RefreshLock } from '@baton/core';
import { broadcastLock } from '@baton/core/broadcast-lock';
import { createTabChannel } from '../../../packages/core/src/tabChannel.js';
import { webLock } from '../../../packages/core/src/webLocks.js';
import { clockOffset, now, param } from './common.js';
import type { LockPage, LockSample } from './types.js';

const kind = param('kind');
const name = param('channel');

function open(): RefreshLock {
  if (kind === 'web-locks') return webLock(`${name}:refresh`, navigator.locks);
  const channel = createTabChannel(name, () => {});
  if (!channel) throw new Error('no BroadcastChannel');
  return broadcastLock(channel);
}

const lock = open();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let acquiredAt: number | undefined;

const api: LockPage = {
  kind: lock.kind,
  clockOffset,
  async loop(startAt, count, holdMs) {
    await sleep(startAt - Date.now());
    const samples: LockSample[] = [];
    for (let i = 0; i < count; i++) {
      const requested = now();
      let acquired = 0;
      let released = 0;
      await lock.run(
        async () => {
          acquired = now();
          if (holdMs > 0) await sleep(holdMs);
          released = now();
        },
        { timeoutMs: 60_000 },
      );
      samples.push({ requested, acquired, released });
    }
    return samples;
  },
  hold() {
    return new Promise((resolve) => {
      lock
        .run(
          () => {
            resolve(now());
            return new Promise<never>(() => {});
          },
          { timeoutMs: 60_000 },
        )
        .catch(() => {});
    });
  },
  request() {
    const requested = now();
    lock
      .run(
        async () => {
          acquiredAt = now();
        },
        { timeoutMs: 60_000 },
      )
      .catch(() => {});
    return requested;
  },
  acquiredAt: () => acquiredAt,
};

window.lockBench = api;
window.harnessReady = true;

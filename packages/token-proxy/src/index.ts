export type {
  TokenProxyHandler,
  TokenProxyOptions,
  TokenProxyParams,
} from './tokenProxy.js';
export { createTokenProxy } from './tokenProxy.js';

export { authorizeHeadless } from './headless.js';
export {
  type OidcProviderOptions,
  type OidcProviderStats,
  type RunningOidcProvider,
  startOidcProvider,
  TEST_ROUTES,
} from './provider.js';

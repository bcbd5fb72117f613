// A TypeDoc plugin: each module is named after the import that reaches it (`@baton/core/dialects`),
// not after its source path (`core/src/entries/dialects`).
import { Converter, ReflectionKind } from 'typedoc';

/** The source path TypeDoc names a module by (relative to packages/), and its import. */
const IMPORTS = new Map([
  ['core/src', '@baton/core'],
  ...[
    'auth-fetch',
    'broadcast-lock',
    'dialects',
    'dpop',
    'password',
    'redirect',
    'sign-out',
    'storage',
  ].map((name) => [`core/src/entries/${name}`, `@baton/core/${name}`]),
  ['react/src', '@baton/react'],
  ['react/src/reactQuery', '@baton/react/query'],
  ['token-proxy/src', '@baton/token-proxy'],
  ['mock-server/src', '@baton/mock-server'],
]);

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const name = IMPORTS.get(module.name);
      // A new entry point must say which import it is: fail rather than publish a path.
      if (name === undefined) throw new Error(`typedoc-module-names: no import for ${module.name}`);
      module.name = name;
    }
  });
}

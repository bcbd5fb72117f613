import type { Rolldown } from 'tsdown';

/**
 * Drops the `//# sourceMappingURL=*.d.ts.map` comment that tsdown 0.21 (rolldown-plugin-dts
 * 0.23) writes at the end of every declaration file while it writes no such map: a shipped file
 * must not point at a file the package does not have. The JavaScript maps stay (they embed their
 * sources).
 */
export function dropDtsMapComments(): Rolldown.Plugin {
  return {
    name: 'baton:drop-dts-map-comments',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk' && /\.d\.[cm]?ts$/.test(file.fileName))
          file.code = file.code.replace(/\n\/\/# sourceMappingURL=\S+\.d\.[cm]?ts\.map\s*$/, '\n');
      }
    },
  };
}

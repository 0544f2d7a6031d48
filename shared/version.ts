import pkg from '../package.json' with { type: 'json' };

/**
 * Tether's version, the `version` of package.json. Imported as JSON so that it is compiled into
 * every bundle (esbuild inlines the import) and needs no file next to the code at run time.
 */
export const TETHER_VERSION: string = pkg.version;

import pkg from '../package.json' with { type: 'json' };

/** Jieneng's version (package.json), as backups record it. */
export const APP_VERSION: string = pkg.version;

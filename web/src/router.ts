import type { Registry } from './types.js';

/** What a page gets from the shell. */
export interface PageContext {
  /** Path parameters, e.g. the institution id of `/institutions/:id`. */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly registry: Registry;
  /** Goes to another page of the app; `replace` rewrites the current history entry (filters). */
  navigate(path: string, replace?: boolean): void;
}

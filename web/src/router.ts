import type { Identity } from './identity.js';
import type { Registry } from './types.js';

/** What a page gets from the shell. */
export interface PageContext {
  /** Path parameters, e.g. the institution id of `/institutions/:id`. */
  readonly params: readonly (string | undefined)[];
  readonly query: URLSearchParams;
  readonly registry: Registry;
  /** Who is signed in: the page offers what the role may do (the API still decides). */
  readonly identity: Identity;
  /** Goes to another page of the app; `replace` rewrites the current history entry (filters). */
  navigate(path: string, replace?: boolean): void;
  /** Draws the current page again (after a change that the shell shows too, e.g. the registry). */
  refresh(): void;
}

// The failed-login limits moved to core (issue 17, item 1): the API's sign-in shares them.
export { addressKey, LoginGuard } from '../core/login-guard.js';

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the file in DATA_DIR that keeps the admin token generated at first start. */
export const ADMIN_TOKEN_FILE = 'admin-token.txt';

/** Name of the file in DATA_DIR that keeps the password of `admin` generated at first start (issue 17, item 1). */
export const ADMIN_PASSWORD_FILE = 'admin-password.txt';

/**
 * Writes the generated admin token to `DATA_DIR/admin-token.txt`, readable by its owner only
 * (0600), so that it survives a lost terminal (issue "No device can stop ingest"); returns the
 * path. Only the token's hash is in the store: delete the file once the token is kept elsewhere.
 */
export function writeAdminTokenFile(dataDir: string, token: string): Promise<string> {
  return writeSecretFile(dataDir, ADMIN_TOKEN_FILE, token);
}

/** Writes a secret generated at first start to `DATA_DIR/<name>`, mode 0600; returns the path. */
export async function writeSecretFile(dataDir: string, name: string, secret: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, name);
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  // `mode` applies to a new file only: a file left by an earlier start keeps its mode otherwise.
  await chmod(path, 0o600);
  return path;
}

/** The CLI's own version (from its package.json, next to dist/ and src/). */
import * as fs from 'fs';
import * as path from 'path';

/** `@devfs/cli`'s version string, or '0.0.0' when its package.json cannot be read. */
export function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

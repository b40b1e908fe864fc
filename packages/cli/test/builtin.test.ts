/** The daemon's built-in drivers resolve from @devfs/cli itself, never from the directory it was started in. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { driverList } from '../src/daemon/builtin';

test('built-in drivers become absolute paths inside the workspace; other specs pass through unchanged', () => {
  const cwd = process.cwd();
  const planted = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-planted-'));
  try {
    // a node_modules/@devfs/drivers-pty in the current directory must not shadow the real one
    const fake = path.join(planted, 'node_modules', '@devfs', 'drivers-pty');
    fs.mkdirSync(fake, { recursive: true });
    fs.writeFileSync(path.join(fake, 'package.json'), '{"name":"@devfs/drivers-pty","main":"index.js"}');
    fs.writeFileSync(path.join(fake, 'index.js'), 'exports.register = () => {};');
    process.chdir(planted);
    const list = driverList(undefined, ['./my-driver', 'devfs-driver-x']);
    expect(list.slice(0, 3).every((p) => path.isAbsolute(p) && !p.startsWith(planted))).toBe(true);
    expect(fs.realpathSync(list[0])).toContain(path.join('packages', 'drivers-pty'));
    expect(list.slice(3)).toEqual(['./my-driver', 'devfs-driver-x']);
  } finally {
    process.chdir(cwd);
    fs.rmSync(planted, { recursive: true, force: true });
  }
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Terminal } from '@xterm/headless';
import { spawn } from '@devfs/drivers-pty';
import { describeHost, needTool } from '../../../test-support/host';

/** The visible screen of a headless xterm, one string per row, trailing blanks trimmed. */
function screen(term: Terminal): string[] {
  const buf = term.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < term.rows; y++) rows.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  return rows;
}

/** Feeds a pty into a real terminal emulator; resolves when `ready(screen)` holds. */
function attach(term: Terminal, pty: ReturnType<typeof spawn>, ready: (rows: string[]) => boolean, timeoutMs = 10000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`screen never matched:\n${screen(term).join('\n')}`)), timeoutMs);
    pty.onData((d) => term.write(d, () => {
      const rows = screen(term);
      if (ready(rows)) {
        clearTimeout(t);
        resolve(rows);
      }
    }));
    term.onData((d) => pty.write(d)); // terminal replies (cursor position reports, ...) go back
  });
}

describeHost('a full-screen program on spawn() drawn by @xterm/headless', [needTool('vi')], () => {
  test('vi shows the file, its tildes and status line at the terminal size, and quits cleanly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-xterm-'));
    const file = path.join(dir, 'hello.txt');
    fs.writeFileSync(file, 'first line of the file\nsecond line\n');
    const cols = 60, rows = 12;
    const term = new Terminal({ cols, rows, allowProposedApi: true });
    const pty = spawn('vi', ['-u', 'NONE', '-i', 'NONE', '-n', file], {
      cols, rows, name: 'xterm-256color', cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, LC_ALL: 'C' },
    });
    const exited = new Promise<{ exitCode: number }>((r) => pty.onExit(r));
    try {
      const shown = await attach(term, pty, (s) => s[0] === 'first line of the file' && s.some((l) => l.includes('hello.txt')));
      expect(shown[1]).toBe('second line');
      expect(shown.slice(2, rows - 1).every((l) => l.startsWith('~'))).toBe(true); // empty-buffer lines
      expect(shown[rows - 1]).toContain('hello.txt');
      pty.write('\x1b:q!\r');
      expect((await exited).exitCode).toBe(0);
    } finally {
      term.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeHost('top -b -n1 through a headless terminal', [needTool('top')], () => {
  test('the header and the process table fit the terminal width', async () => {
    const cols = 100, rows = 40;
    const term = new Terminal({ cols, rows, allowProposedApi: true });
    const pty = spawn('top', ['-b', '-n1', '-w', String(cols)], { cols, rows, env: { PATH: process.env.PATH, LC_ALL: 'C' } });
    const exited = new Promise<{ exitCode: number }>((r) => pty.onExit(r));
    let text = '';
    pty.onData((d) => { text += d; term.write(d); });
    expect((await exited).exitCode).toBe(0);
    await new Promise<void>((r) => term.write('', r));
    const all: string[] = [];
    const buf = term.buffer.active;
    for (let y = 0; y < buf.length; y++) all.push(buf.getLine(y)?.translateToString(true) ?? '');
    expect(all.some((l) => /^top - /.test(l))).toBe(true);
    expect(all.some((l) => /^\s*PID\s+USER\s+/.test(l))).toBe(true);
    expect(all.every((l) => l.length <= cols)).toBe(true);
    expect(text.length).toBeGreaterThan(0);
    term.dispose();
  });
});

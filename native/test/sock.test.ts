import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { native } from '@devfs/native';

describe('peerCred', () => {
  test('reads the pid/uid/gid of the client over a real Unix socket', async () => {
    const sockPath = path.join(os.tmpdir(), `devfs-peercred-${process.pid}-${Date.now()}.sock`);
    const server = net.createServer();
    const accepted = new Promise<net.Socket>((res) => server.on('connection', res));
    await new Promise<void>((res) => server.listen(sockPath, res));
    const client = net.connect(sockPath);
    try {
      const sock = await accepted;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const fd = (sock as any)._handle.fd as number;
      expect(native.peerCred(fd)).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
      sock.destroy();
    } finally {
      client.destroy();
      await new Promise((res) => server.close(res));
      fs.rmSync(sockPath, { force: true });
    }
  });

  test('a non-socket fd is ENOTSOCK; a bad fd is EBADF', () => {
    const [r, w] = native.fdPipe();
    expect(() => native.peerCred(r)).toThrow(expect.objectContaining({ code: 'ENOTSOCK', syscall: 'getsockopt' }));
    native.fdClose(r);
    native.fdClose(w);
    expect(() => native.peerCred(-1)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  test('socketpairSeqpacket ends know each other as this process', () => {
    const [a, b] = native.socketpairSeqpacket();
    expect(native.peerCred(a).pid).toBe(process.pid);
    native.fdClose(a);
    native.fdClose(b);
  });
});

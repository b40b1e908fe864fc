import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { native } from '@devfs/native';

describe('peerCred', () => {
  test('reads the pid/uid/gid of the client over a real Unix socket', async () => {
    const sockPath = path.join(os.tmpdir(), `devfs-peercred-${process.pid}-${Date.now()}.sock`);
    // the server end's fd comes from the addon's acceptor (a net.Server keeps its fd private)
    let onFd: (fd: number) => void = () => undefined;
    const accepted = new Promise<number>((res) => { onFd = res; });
    const acceptor = new native.UnixAcceptor({ path: sockPath, onConnection: (fd) => onFd(fd) });
    const client = net.connect(sockPath);
    try {
      const fd = await accepted;
      expect(native.peerCred(fd)).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
      native.fdClose(fd);
    } finally {
      client.destroy();
      acceptor.close();
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

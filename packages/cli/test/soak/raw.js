/**
 * A hand-made devfs client on plain `net` sockets, for the boundary tests and the soak: it speaks
 * the control protocol (LSP framing + JSON-RPC) and the pty data connection directly, so a test
 * can also break them on purpose (half frames, floods, abrupt closes). Plain JS so that it runs
 * under `node -e` as another uid without a build.
 */
'use strict';
const crypto = require('crypto');
const net = require('net');

/** One framed JSON-RPC message. */
function frame(msg) {
  const body = Buffer.from(JSON.stringify(msg));
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

/** Connects to the Unix socket `sock`; resolves with the socket (errors swallowed after connect). */
function connect(sock) {
  return new Promise((resolve, reject) => {
    const s = net.connect(sock);
    s.once('connect', () => { s.removeListener('error', reject); s.on('error', () => undefined); resolve(s); });
    s.once('error', reject);
  });
}

/** A control connection: request(method, params) resolves with the result or rejects with the error object. */
async function rpc(sock) {
  const s = await connect(sock);
  let buf = Buffer.alloc(0);
  let nextId = 1;
  const waiting = new Map();
  const notes = [];
  s.on('data', (b) => {
    buf = Buffer.concat([buf, b]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString())[1]);
      if (buf.length < end + 4 + len) return;
      const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString());
      buf = buf.subarray(end + 4 + len);
      if (msg.id !== undefined && msg.id !== null && waiting.has(msg.id)) {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.error) w.reject(msg.error); else w.resolve(msg.result);
      } else notes.push(msg);
    }
  });
  const closed = new Promise((r) => s.once('close', r));
  closed.then(() => { for (const w of waiting.values()) w.reject({ code: 'ECONNRESET', message: 'closed' }); waiting.clear(); });
  return {
    socket: s, notes, closed,
    request(method, params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        s.write(frame({ jsonrpc: '2.0', id, method, params }));
      });
    },
  };
}

/**
 * Starts `file args` on a daemon pty: opens the data connection (magic line + random channel),
 * then asks pty.spawn on a control connection. Resolves with { ctl, data, session, pid, output() }.
 */
async function ptySpawn(sock, file, args = [], extra = {}) {
  const channel = crypto.randomBytes(16).toString('hex');
  const data = await connect(sock);
  let out = '';
  data.on('data', (b) => { out += b.toString('latin1'); });
  data.write(`DEVFS-PTY ${channel}\n`);
  const ctl = await rpc(sock);
  const r = await ctl.request('pty.spawn', { channel, file, args, cols: 80, rows: 24, env: { PATH: '/usr/bin:/bin', TERM: 'dumb' }, cwd: '/', ...extra });
  return { ctl, data, session: r.session, pid: r.pid, output: () => out };
}

/** Writes `total` bytes of `byte` into `socket` as fast as it takes them (honouring 'drain'); resolves with bytes written when done or after `ms`. */
function flood(socket, total, ms, byte = 0x61) {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, byte);
    let sent = 0;
    const stop = setTimeout(() => { socket.removeListener('drain', pump); resolve(sent); }, ms);
    const pump = () => {
      while (sent < total && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(chunk)) return;
      }
      clearTimeout(stop);
      resolve(sent);
    };
    socket.on('drain', pump);
    pump();
  });
}

module.exports = { frame, connect, rpc, ptySpawn, flood };

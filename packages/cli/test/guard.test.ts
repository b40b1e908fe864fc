import { FrameGuard } from '../src/protocol/guard';

function feed(chunks: (string | Buffer)[], max = 64): Promise<{ out: string; err?: Error }> {
  return new Promise((resolve) => {
    const g = new FrameGuard(max, 128);
    let out = '';
    g.on('data', (b) => { out += b; });
    g.on('error', (err) => resolve({ out, err }));
    g.on('end', () => resolve({ out }));
    for (const c of chunks) if (!g.destroyed) g.write(c);
    if (!g.destroyed) g.end();
  });
}

describe('FrameGuard (JSON-RPC framing limits on the raw stream)', () => {
  test('passes well-formed messages through byte for byte, across arbitrary chunk splits', async () => {
    const msg = 'Content-Length: 2\r\nContent-Type: application/json\r\n\r\n{}Content-Length: 4\r\n\r\nnull';
    const split = msg.split('').map((c) => c);
    expect(await feed(split)).toEqual({ out: msg });
    expect(await feed([msg])).toEqual({ out: msg });
  });

  test.each([
    ['an oversized body', ['Content-Length: 65\r\n\r\n'], 'EMSGSIZE'],
    ['a malformed header line', ['GET / HTTP/1.1\r\n\r\n'], 'EPROTO'],
    ['no Content-Length', ['X-A: 1\r\n\r\n'], 'EPROTO'],
    ['a non-numeric length', ['Content-Length: 1e3\r\n\r\n'], 'EPROTO'],
    ['an endless header', ['Content-Length: 1' + '0'.repeat(200)], 'EPROTO'],
  ])('refuses %s', async (_what, chunks, code) => {
    const r = await feed(chunks);
    expect(r.err).toMatchObject({ code });
  });
});

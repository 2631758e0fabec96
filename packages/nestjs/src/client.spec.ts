import { createServer, Server } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Socket } from 'node:net';
import { KeywardClient, KeywardHttpError, KeywardUnavailableError } from './client';

/** A server that answers each request as `answer` says (or never, for `hang`). */
async function serve(answer: (path: string) => { status: number; body?: string } | 'hang'): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(req.url ?? '');
      if (a === 'hang') return;
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('KeywardClient over Node http', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('a 4xx problem is a KeywardHttpError with its code; a 5xx is unavailable; a 2xx is parsed', async () => {
    let url: string;
    ({ server, url } = await serve((path) =>
      path.includes('quota') ? { status: 200, body: '{"granted":3}' } : path === '/v1/usage' ? { status: 422, body: '{"code":"UNKNOWN_KEY","detail":"records[0].keyId: no"}' } : { status: 502 },
    ));
    const client = new KeywardClient({ url, apiKey: 'kw_service' });
    await expect(client.takeQuota('k', 3)).resolves.toEqual({ granted: 3 });
    await expect(client.reportUsage([])).rejects.toMatchObject({ constructor: KeywardHttpError, status: 422, code: 'UNKNOWN_KEY', detail: 'records[0].keyId: no' });
    await expect(client.verify({ key: 'kw_x' })).rejects.toMatchObject({ constructor: KeywardUnavailableError, reason: 'HTTP 502' });
    client.close();
  });

  it('a kept-alive connection the server closed as the next request went out: sent again on a new one, answered', async () => {
    // each connection answers its first request, then closes when the next one arrives (the idle-close race)
    const connections: Socket[] = [];
    const tcp = createTcpServer((socket) => {
      connections.push(socket);
      let served = 0;
      socket.on('data', () => {
        if (served++ === 0) socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 13\r\nconnection: keep-alive\r\n\r\n{"granted":1}');
        else socket.destroy();
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const client = new KeywardClient({ url: `http://127.0.0.1:${(tcp.address() as AddressInfo).port}`, apiKey: 'kw_service' });
    try {
      const answers = [await client.takeQuota('k', 1), await client.takeQuota('k', 1).catch((err: Error) => err.message)];
      expect([answers, connections.length]).toEqual([[{ granted: 1 }, { granted: 1 }], 2]);
    } finally {
      client.close();
      for (const c of connections) c.destroy();
      await new Promise((resolve) => tcp.close(resolve));
    }
  });

  it('no answer within the timeout, or nobody listening: unavailable, with the reason and never the key', async () => {
    let url: string;
    ({ server, url } = await serve(() => 'hang'));
    const client = new KeywardClient({ url, apiKey: 'kw_service', timeoutMs: 100 });
    const timedOut = await client.verify({ key: 'kw_secret_value' }).catch((err: Error) => err) as Error;
    expect([timedOut.constructor, (timedOut as KeywardUnavailableError).reason]).toEqual([KeywardUnavailableError, 'timed out']);
    const refused = await new KeywardClient({ url: 'http://127.0.0.1:1', apiKey: 'kw_service' }).verify({ key: 'kw_secret_value' }).catch((err: Error) => err) as Error;
    expect([refused.constructor, (refused as KeywardUnavailableError).reason]).toEqual([KeywardUnavailableError, 'ECONNREFUSED']);
    expect(`${timedOut.message} ${refused.message}`).not.toContain('kw_secret_value');
    client.close();
  });
});

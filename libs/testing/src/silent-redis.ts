import { Server, Socket, createServer } from 'node:net';

/** The commands (arrays of bulk strings) complete in `buffer`, and what is left of it. */
function commands(buffer: string): { parsed: string[][]; rest: string } {
  const parsed: string[][] = [];
  let at = 0;
  for (;;) {
    const head = /^\*(\d+)\r\n/.exec(buffer.slice(at));
    if (!head) break;
    let i = at + head[0].length;
    const args: string[] = [];
    for (let n = Number(head[1]); n > 0; n--) {
      const bulk = /^\$(\d+)\r\n/.exec(buffer.slice(i));
      if (!bulk || buffer.length < i + bulk[0].length + Number(bulk[1]) + 2) return { parsed, rest: buffer.slice(at) };
      args.push(buffer.slice(i + bulk[0].length, i + bulk[0].length + Number(bulk[1])));
      i += bulk[0].length + Number(bulk[1]) + 2;
    }
    parsed.push(args);
    at = i;
  }
  return { parsed, rest: buffer.slice(at) };
}

/**
 * A Redis stand-in that completes ioredis's handshake (CLIENT SETNAME, INFO, SELECT) and then
 * never answers another command, as a paused or partitioned Redis does. `commandsSeen()` lists
 * every command it received, in order.
 */
export function silentRedis(): Promise<Server & { commandsSeen: () => string[] }> {
  const sockets = new Set<Socket>();
  const seen: string[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending = '';
    socket.on('data', (chunk) => {
      const { parsed, rest } = commands(pending + chunk.toString('latin1'));
      pending = rest;
      for (const [name] of parsed) {
        const command = name.toUpperCase();
        seen.push(command);
        if (command === 'INFO') socket.write('$11\r\nloading:0\r\n\r\n');
        else if (command === 'CLIENT' || command === 'SELECT') socket.write('+OK\r\n');
        // anything else: no answer, ever
      }
    });
  });
  const close = server.close.bind(server);
  server.close = (cb) => {
    sockets.forEach((s) => s.destroy());
    return close(cb);
  };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(Object.assign(server, { commandsSeen: () => [...seen] }))));
}


// A TCP proxy in front of an emulator that holds every chunk of the answers for `delayMs`: a slow
// network or an overloaded store, without touching the store. Order is kept (one delay for all).
import { createServer, Server, Socket, connect } from 'node:net';

export interface SlowProxy {
  port: number;
  /** Milliseconds each chunk from the store waits before it is passed on. */
  delayMs: number;
  close: () => Promise<void>;
}

export async function startSlowProxy(targetPort: number, delayMs: number): Promise<SlowProxy> {
  const sockets = new Set<Socket>();
  const proxy: SlowProxy = { port: 0, delayMs, close: () => Promise.resolve() };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.on('data', (chunk) => {
      setTimeout(() => {
        if (!client.destroyed) client.write(chunk);
      }, proxy.delayMs);
    });
    upstream.on('close', () => setTimeout(() => client.destroy(), proxy.delayMs));
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  proxy.port = (server.address() as { port: number }).port;
  proxy.close = () =>
    new Promise<void>((done) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    });
  return proxy;
}

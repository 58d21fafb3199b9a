import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startLatencyProxy } from './latency-proxy';

/** An echo server on loopback: whatever a client sends comes back. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Sends `messages` one after another and reads until every byte of them came back. */
async function roundTrip(port: number, messages: string[]): Promise<{ echoed: string; ms: number }> {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((done) => socket.once('connect', done));
  const expected = messages.join('');
  const started = performance.now();
  let echoed = '';
  const done = new Promise<void>((resolve) =>
    socket.on('data', (chunk) => {
      echoed += chunk.toString();
      if (echoed.length >= expected.length) resolve();
    }),
  );
  for (const m of messages) socket.write(m);
  await done;
  const ms = performance.now() - started;
  socket.destroy();
  return { echoed, ms };
}

describe('latency proxy (bench)', () => {
  it('passes bytes both ways in order, each way delayed by at least its one-way time', async () => {
    const { server, port } = await echoServer();
    const proxy = await startLatencyProxy('127.0.0.1', port, 25);
    try {
      const messages = Array.from({ length: 50 }, (_, i) => `message ${i};`);
      const { echoed, ms } = await roundTrip(proxy.port, messages);
      expect(echoed).toBe(messages.join(''));
      // A lower bound only: a slow machine makes it longer, never shorter.
      expect(ms).toBeGreaterThanOrEqual(50);
    } finally {
      proxy.close();
      server.close();
    }
  });

  it('passes bytes unchanged when asked for no delay', async () => {
    const { server, port } = await echoServer();
    const proxy = await startLatencyProxy('127.0.0.1', port, 0);
    try {
      const { echoed } = await roundTrip(proxy.port, ['a', 'b', 'c']);
      expect(echoed).toBe('abc');
    } finally {
      proxy.close();
      server.close();
    }
  });
});

// A TCP proxy that delays every chunk by a fixed time each way: a network round trip in front of an
// emulator, for benches that ask how a path behaves when each call waits on the network (as against
// AWS) rather than on this machine's CPU. Runs as its own process, so the delaying costs the measured
// process nothing: `node latency-proxy.js <target host:port> <one-way ms>` prints `READY <port>` (on
// loopback) and serves until killed, as the emulator runners do, so a bench starts it the same way
// (startNodeProcess). Chunks keep their order: timers of one delay fire in order.
import { connect, createServer, Socket } from 'node:net';

export function startLatencyProxy(
  targetHost: string,
  targetPort: number,
  oneWayMs: number,
): Promise<{ port: number; close: () => void }> {
  // Each direction on its own: data, then its end, both delayed, so a half-closed connection still
  // delivers what the other side sends back (allowHalfOpen on both sockets).
  const pipe = (from: Socket, to: Socket): void => {
    from.on('data', (chunk) => {
      setTimeout(() => {
        if (!to.destroyed && to.writable) to.write(chunk);
      }, oneWayMs);
    });
    from.on('end', () =>
      setTimeout(() => {
        if (!to.destroyed) to.end();
      }, oneWayMs),
    );
  };
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ port: targetPort, host: targetHost, allowHalfOpen: true });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    pipe(client, upstream);
    pipe(upstream, client);
    // A reset or error on either side ends both at once: nothing more can be delivered.
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve({ port: address.port, close: () => server.close() });
    });
  });
}

if (require.main === module) {
  const [target, ms] = process.argv.slice(2);
  const at = target?.lastIndexOf(':') ?? -1;
  const oneWay = Number(ms);
  if (at < 1 || !Number.isFinite(oneWay) || oneWay < 0) {
    process.stderr.write('usage: latency-proxy <host:port> <one-way ms>\n');
    process.exit(2);
  }
  // Dies with the bench that started it: the parent's end closes this pipe.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  startLatencyProxy(target.slice(0, at), Number(target.slice(at + 1)), oneWay).then(
    ({ port }) => process.stdout.write(`READY ${port}\n`),
    (err: unknown) => {
      process.stderr.write(`latency proxy: ${String(err)}\n`);
      process.exit(1);
    },
  );
}

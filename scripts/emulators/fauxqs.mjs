// Child process running fauxqs on 127.0.0.1, as the SQS emulator (queues and their messages in SQLite
// under --data-dir, kept across restarts) or as the S3 emulator (objects as files under --s3-dir).
// Without either folder it keeps everything in memory.
// Prints "READY <port>" once listening; exits when its parent goes away (stdin closes) or on SIGTERM.
import { startFauxqs } from 'fauxqs';
import { Server } from 'node:net';
import { parseArgs } from 'node:util';

// fauxqs 2.4 listens on 0.0.0.0 whatever its options say (its `host` only names queue URLs), and
// takes any credentials: this process's listening sockets are held to loopback instead.
const LOOPBACK = '127.0.0.1';
const listen = Server.prototype.listen;
Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'object' && args[0] !== null && !('fd' in args[0]) && !('path' in args[0])) {
    args[0] = { ...args[0], host: LOOPBACK };
  }
  return listen.apply(this, args);
};

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    region: { type: 'string', default: 'us-east-1' },
    'data-dir': { type: 'string' },
    's3-dir': { type: 'string' },
  },
});
let server;

startFauxqs({
  port: Number(values.port),
  logger: false,
  defaultRegion: values.region,
  dataDir: values['data-dir'],
  s3StorageDir: values['s3-dir'],
}).then(
  (started) => {
    server = started;
    process.stdout.write(`READY ${started.port}\n`);
  },
  (err) => {
    process.stderr.write(`fauxqs failed: ${err.stack ?? err}\n`);
    process.exit(1);
  },
);

const stop = () => Promise.resolve(server && server.stop()).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

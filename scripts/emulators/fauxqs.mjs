// Child process running fauxqs on 127.0.0.1, as the SQS emulator (queues and their messages in SQLite
// under --data-dir, kept across restarts) or as the S3 emulator (objects as files under --s3-dir).
// Without either folder it keeps everything in memory.
// Prints "READY <port>" once listening; exits when its parent goes away (stdin closes) or on SIGTERM.
import { startFauxqs } from 'fauxqs';
import { parseArgs } from 'node:util';

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

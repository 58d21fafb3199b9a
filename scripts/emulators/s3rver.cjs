// Child process running s3rver (S3 emulator) on 127.0.0.1, persisted to the folder in argv[2].
// Prints "READY <port>" once listening; exits when its parent goes away (stdin closes) or on SIGTERM.
'use strict';
const S3rver = require('s3rver');

const [directory, portArg] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(portArg ?? 0),
  directory,
  silent: true,
  resetOnClose: false,
});

server.run().then(
  ({ port }) => process.stdout.write(`READY ${port}\n`),
  (err) => {
    process.stderr.write(`s3rver failed: ${err.stack ?? err}\n`);
    process.exit(1);
  },
);

const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

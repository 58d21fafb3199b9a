// Child process running fauxqs (SQS emulator, in memory) on 127.0.0.1.
// Prints "READY <port>" once listening; exits when its parent goes away (stdin closes) or on SIGTERM.
import { startFauxqs } from 'fauxqs';

const [portArg, region] = process.argv.slice(2);
let server;

startFauxqs({ port: Number(portArg ?? 0), logger: false, defaultRegion: region }).then(
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

// Local mode is local: the emulators this run started (as `npm start` starts them) listen on the
// loopback address only, since they take any credentials.
import { listeningAddresses, LOOPBACK_ADDRESSES } from '../support/listening';
import { testEnv } from '../support/test-app';

describe('the local emulators', () => {
  const env = testEnv('local-stack');

  it.each([
    ['DynamoDB Local', env.AWS_ENDPOINT_URL_DYNAMODB!],
    ['fauxqs (S3)', env.AWS_ENDPOINT_URL_S3!],
    ['fauxqs (SQS)', env.AWS_ENDPOINT_URL_SQS!],
  ])('%s listens on loopback only', (_name, endpoint) => {
    const addresses = listeningAddresses(Number(new URL(endpoint).port));
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(LOOPBACK_ADDRESSES).toContain(address);
  });
});

import { ConfigError, Env, ENV_KEYS, validateEnv } from './env.config';

describe('validateEnv', () => {
  it('applies defaults', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      PIPESCOPE_MODE: 'local',
      DATA_DIR: './.data',
      LOG_LEVEL: 'info',
    });
    expect(env.S3_FORCE_PATH_STYLE).toBe(true);
    expect(env.deadLetterQueue).toBe('pipescope-replay-dlq');
  });

  it('converts numbers and booleans from strings', () => {
    const env = validateEnv({ PORT: '8080', S3_FORCE_PATH_STYLE: 'false', LATE_THRESHOLD_MS: '1000' });
    expect(env.PORT).toBe(8080);
    expect(env.S3_FORCE_PATH_STYLE).toBe(false);
    expect(env.LATE_THRESHOLD_MS).toBe(1000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PIPESCOPE_MODE', 'cloud'],
    ['LOG_LEVEL', 'loud'],
    ['AWS_ENDPOINT_URL_S3', 'not a url'],
    ['PIPESCOPE_BUCKET', 'Upper_Case'],
  ])('refuses %s=%s and names the variable', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(ConfigError);
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(name));
  });

  it('needs REQUEST_TIMEOUT_MS to leave room for a read budget and a storage call', () => {
    expect(validateEnv({}).REQUEST_TIMEOUT_MS).toBeGreaterThanOrEqual(
      validateEnv({}).READ_MAX_MS + validateEnv({}).STORAGE_TIMEOUT_MS,
    );
    expect(() => validateEnv({ REQUEST_TIMEOUT_MS: '12000', READ_MAX_MS: '8000' })).toThrow(
      /REQUEST_TIMEOUT_MS=12000: must be at least READ_MAX_MS \+ STORAGE_TIMEOUT_MS \(8000 \+ 5000\)/,
    );
    expect(validateEnv({ REQUEST_TIMEOUT_MS: '13000', READ_MAX_MS: '8000' }).REQUEST_TIMEOUT_MS).toBe(13000);
  });

  it('refuses aws mode without API_KEYS', () => {
    expect(() => validateEnv({ PIPESCOPE_MODE: 'aws' })).toThrow(/API_KEYS: required/);
  });

  it('refuses malformed API_KEYS', () => {
    expect(() => validateEnv({ API_KEYS: 'root:0123456789abcdef' })).toThrow(/API_KEYS entry 1/);
  });

  it('lists every variable the Env class declares', () => {
    const declared = Object.keys(validateEnv({ API_KEYS: 'producer:0123456789abcdef01' })).filter(
      (k) => k === k.toUpperCase(),
    );
    for (const key of declared) expect(ENV_KEYS).toContain(key);
    expect(new Env()).toBeInstanceOf(Env);
  });
});

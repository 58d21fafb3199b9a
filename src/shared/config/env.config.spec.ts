import { ConfigError, Env, ENV_KEYS, validateEnv, withOverrides } from './env.config';

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
    expect(env.METRICS_EMF_ENABLED).toBe(true);
    expect(env.deadLetterQueue).toBe('pipescope-replay-dlq');
  });

  it('parses per-source late thresholds into a map, the global threshold covering the rest', () => {
    const env = validateEnv({ LATE_THRESHOLD_MS: '5000', LATE_THRESHOLDS: 'slow-src:60000,fast.src:10' });
    expect([...env.lateThresholds]).toEqual([
      ['slow-src', 60000],
      ['fast.src', 10],
    ]);
    expect(env.lateThresholdMs('slow-src')).toBe(60000);
    expect(env.lateThresholdMs('fast.src')).toBe(10);
    expect(env.lateThresholdMs('other')).toBe(5000);
    expect(validateEnv({}).lateThresholds.size).toBe(0);
  });

  it('bounds SOURCE_INDEX_SHARDS to 1..64, one by default', () => {
    expect(validateEnv({}).SOURCE_INDEX_SHARDS).toBe(1);
    expect(validateEnv({ SOURCE_INDEX_SHARDS: '16' }).SOURCE_INDEX_SHARDS).toBe(16);
    for (const bad of ['0', '65', '2.5', 'many']) {
      expect(() => validateEnv({ SOURCE_INDEX_SHARDS: bad })).toThrow(/SOURCE_INDEX_SHARDS/);
    }
  });

  it('refuses a malformed LATE_THRESHOLDS', () => {
    expect(() => validateEnv({ LATE_THRESHOLDS: 'slow-src=100' })).toThrow(/LATE_THRESHOLDS/);
  });

  it('derives a changed copy, validated again, leaving the original as it was', () => {
    const env = validateEnv({ PORT: '8080', API_KEYS: 'producer:0123456789abcdef01' });
    const copy = withOverrides(env, { METRICS_EMF_ENABLED: 'false', API_KEYS: '' });
    expect(copy).toMatchObject({ PORT: 8080, METRICS_EMF_ENABLED: false, API_KEYS: undefined });
    expect(env).toMatchObject({ METRICS_EMF_ENABLED: true, API_KEYS: 'producer:0123456789abcdef01' });
    expect(() => withOverrides(env, { PORT: 'abc' })).toThrow(/PORT="abc"/);
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

  it('needs a storage deadline the consumer long poll fits in, unless the consumer is off', () => {
    expect(() => validateEnv({ STORAGE_TIMEOUT_MS: '1000' })).toThrow(
      /STORAGE_TIMEOUT_MS=1000: at least 1500/,
    );
    expect(validateEnv({ STORAGE_TIMEOUT_MS: '1000', PROCESSOR_ENABLED: 'false' }).STORAGE_TIMEOUT_MS).toBe(
      1000,
    );
  });

  it('refuses aws mode without API_KEYS', () => {
    expect(() => validateEnv({ PIPESCOPE_MODE: 'aws' })).toThrow(/API_KEYS: required/);
  });

  it('refuses METRICS_REQUIRE_KEY with auth off, and bounds the metrics settings', () => {
    expect(() => validateEnv({ METRICS_REQUIRE_KEY: 'true' })).toThrow(/METRICS_REQUIRE_KEY: needs API_KEYS/);
    expect(() => validateEnv({ METRICS_MAX_SERIES: '0' })).toThrow(
      /METRICS_MAX_SERIES=0: METRICS_MAX_SERIES must not be less than 1/,
    );
    expect(validateEnv({})).toMatchObject({
      METRICS_MAX_SERIES: 1000,
      METRICS_SERIES_TTL_MS: 86_400_000,
      METRICS_REQUIRE_KEY: false,
    });
  });

  it('refuses malformed API_KEYS', () => {
    expect(() => validateEnv({ API_KEYS: 'root:0123456789abcdef' })).toThrow(/API_KEYS entry 1/);
  });

  it('checks ALERTS_RULES against the rule schema and names the broken field', () => {
    const ok = JSON.stringify([{ name: 'quiet', kind: 'silence', minutes: 15 }]);
    expect(validateEnv({ ALERTS_RULES: ok }).ALERTS_RULES).toBe(ok);
    expect(() => validateEnv({ ALERTS_RULES: 'not json' })).toThrow(/ALERTS_RULES/);
    const noMinutes = JSON.stringify([{ name: 'quiet', kind: 'silence' }]);
    expect(() => validateEnv({ ALERTS_RULES: noMinutes })).toThrow(/ALERTS_RULES: rules\.0\.minutes/);
    const wrongField = JSON.stringify({
      rules: [{ name: 'lag', kind: 'lag_p99', threshold_ms: 5, minutes: 3 }],
    });
    expect(() => validateEnv({ ALERTS_RULES: wrongField })).toThrow(/minutes does not apply to kind lag_p99/);
  });

  it('defaults the alert links to this port', () => {
    expect(validateEnv({ PORT: '8080' }).alertsLinkBase).toBe('http://localhost:8080');
    expect(validateEnv({ ALERTS_LINK_BASE_URL: 'https://ps.example.com/' }).alertsLinkBase).toBe(
      'https://ps.example.com',
    );
  });

  it('lists every variable the Env class declares', () => {
    const declared = Object.keys(validateEnv({ API_KEYS: 'producer:0123456789abcdef01' })).filter(
      (k) => k === k.toUpperCase(),
    );
    expect([...ENV_KEYS].sort()).toEqual(declared.sort());
    expect(new Env()).toBeInstanceOf(Env);
  });

  it('listens on loopback while auth is off, unless HOST says otherwise', () => {
    expect(validateEnv({}).listenHost).toBe('127.0.0.1');
    expect(validateEnv({ HOST: '0.0.0.0' }).listenHost).toBe('0.0.0.0');
    expect(validateEnv({ API_KEYS: 'producer:0123456789abcdef01' }).listenHost).toBe('0.0.0.0');
    expect(validateEnv({ API_KEYS: 'producer:0123456789abcdef01', HOST: '10.0.0.5' }).listenHost).toBe(
      '10.0.0.5',
    );
  });

  it.each([
    [
      { SOURCE_SIGNING_SECRETS: 'orders-svc:short' },
      /SOURCE_SIGNING_SECRETS entry 1: secret must be at least 32/,
    ],
    [
      { SOURCE_SIGNING_SECRETS: `Orders:${'s'.repeat(32)}` },
      /SOURCE_SIGNING_SECRETS entry 1: expected source:secret/,
    ],
    [{ CURSOR_SECRET: 'too-short' }, /CURSOR_SECRET must be at least 32 characters/],
    [{ CURSOR_TTL_S: '10' }, /CURSOR_TTL_S/],
    [{ RATE_LIMIT_REQUESTS_PER_S: '-1' }, /RATE_LIMIT_REQUESTS_PER_S/],
    [{ INGEST_MAX_PAYLOAD_DEPTH: '0' }, /INGEST_MAX_PAYLOAD_DEPTH/],
  ])('refuses %o, naming the variable', (raw, message) => {
    expect(() => validateEnv(raw)).toThrow(message);
  });
});

// The raw store as two Glue tables Athena can query (docs/athena.md): single events under
// raw/source=<s>/date=<d>/hour=<h>/ and batch objects under raw/batches/date=<d>/hour=<h>/, both with
// partition projection, so no crawler runs and no partition list is kept. Columns are the event's
// own fields; `payload` stays JSON text (json_extract_scalar reads it).
import { Stack } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { OBJECT_PREFIXES } from '../../src/shared/retention/retention';

export interface RawCatalogProps {
  bucket: IBucket;
  /** Glue database name (letters, digits, underscores). */
  databaseName: string;
  /** First day (yyyy-MM-dd) of the date projection. */
  firstDay: string;
}

/** The event's fields as columns; `source` is a partition of the single-event table instead. */
export const EVENT_COLUMNS: CfnTable.ColumnProperty[] = [
  { name: 'type', type: 'string' },
  { name: 'entity_id', type: 'string' },
  { name: 'occurred_at', type: 'string' },
  { name: 'idempotency_key', type: 'string' },
  { name: 'sequence', type: 'bigint' },
  { name: 'schema_version', type: 'string' },
  { name: 'payload', type: 'string' },
];

export const RAW_EVENTS_TABLE = 'pipescope_raw_events';
export const RAW_BATCHES_TABLE = 'pipescope_raw_batches';

/** Projection of the `day` and `hour` partitions, shared by both tables. */
const dayHourProjection = (firstDay: string): Record<string, string> => ({
  'projection.enabled': 'true',
  'projection.day.type': 'date',
  'projection.day.format': 'yyyy-MM-dd',
  'projection.day.range': `${firstDay},NOW`,
  'projection.day.interval': '1',
  'projection.day.interval.unit': 'DAYS',
  'projection.hour.type': 'integer',
  'projection.hour.range': '0,23',
  'projection.hour.digits': '2',
});

export class RawCatalog extends Construct {
  readonly database: CfnDatabase;
  readonly events: CfnTable;
  readonly batches: CfnTable;

  constructor(scope: Construct, id: string, props: RawCatalogProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const raw = `s3://${props.bucket.bucketName}/${OBJECT_PREFIXES.raw}`;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: {
        name: props.databaseName,
        description: 'pipescope raw events as received (docs/athena.md)',
      },
    });
    const table = (
      tableId: string,
      name: string,
      location: string,
      partitionKeys: CfnTable.ColumnProperty[],
      columns: CfnTable.ColumnProperty[],
      projection: Record<string, string>,
    ): CfnTable => {
      const t = new CfnTable(this, tableId, {
        catalogId: account,
        databaseName: props.databaseName,
        tableInput: {
          name,
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: 'json', ...projection },
          partitionKeys,
          storageDescriptor: {
            location,
            inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            serdeInfo: {
              serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
              // A pretty-printed event (newlines inside it) reads as nulls instead of failing the query.
              parameters: { 'ignore.malformed.json': 'true' },
            },
            columns,
          },
        },
      });
      t.addResourceDependency(this.database);
      return t;
    };
    const dayHour = [
      { name: 'day', type: 'string' },
      { name: 'hour', type: 'int' },
    ];
    this.events = table(
      'RawEvents',
      RAW_EVENTS_TABLE,
      raw,
      [{ name: 'source', type: 'string' }, ...dayHour],
      EVENT_COLUMNS,
      {
        ...dayHourProjection(props.firstDay),
        // Sources are not known in advance: every query names the source it reads.
        'projection.source.type': 'injected',
        'storage.location.template': `${raw}source=\${source}/date=\${day}/hour=\${hour}/`,
      },
    );
    this.batches = table(
      'RawBatches',
      RAW_BATCHES_TABLE,
      `${raw}batches/`,
      dayHour,
      [{ name: 'source', type: 'string' }, ...EVENT_COLUMNS],
      {
        ...dayHourProjection(props.firstDay),
        'storage.location.template': `${raw}batches/date=\${day}/hour=\${hour}/`,
      },
    );
  }
}

// Payload schemas on the single DynamoDB table: per (source, type) one partition SCHEMA#<source>#<type>
// holding the head (#HEAD: latest version number, retired flag; listed through gsi1) and one immutable
// item per version (V#<version>, the schema kept as JSON text so it round-trips exactly). A new
// version is written together with its head in one transaction conditioned on the head's previous
// `latest`, so two concurrent registrations never take the same number.
import { DynamoTable, isTransactionCancelled, Item, pick } from '../shared/aws/dynamo-table';
import { schemaKeys } from '../shared/aws/table-keys';
import { SchemaEntry, SchemaHead, SchemaStore, SchemaVersion } from './schema-store';

const HEAD_FIELDS = ['source', 'type', 'latest', 'updated_at', 'retired_at', 'retired_by'] as const;
const VERSION_FIELDS = ['source', 'type', 'version', 'schema_version', 'created_at', 'created_by'] as const;
const ATTEMPTS = 5;

const toHead = (item: Item): SchemaHead => ({
  ...pick<SchemaHead>(item, HEAD_FIELDS),
  latest: Number(item.latest),
});
const toVersion = (item: Item): SchemaVersion => ({
  ...pick<Omit<SchemaVersion, 'schema'>>(item, VERSION_FIELDS),
  version: Number(item.version),
  schema: JSON.parse(String(item.schema_json)) as Record<string, unknown>,
});

export class DynamoSchemaStore extends SchemaStore {
  constructor(private readonly table: DynamoTable) {
    super();
  }

  async register(entry: Omit<SchemaVersion, 'version'>): Promise<SchemaVersion> {
    const { source, type } = entry;
    for (let attempt = 1; ; attempt++) {
      const head = await this.table.get(schemaKeys.head(source, type));
      const previous = head ? Number(head.latest) : 0;
      const stored: SchemaVersion = { ...entry, version: previous + 1 };
      const { schema, ...fields } = stored;
      try {
        await this.table.transactWrite({
          TransactItems: [
            {
              Put: {
                TableName: this.table.name,
                Item: {
                  ...schemaKeys.head(source, type),
                  source,
                  type,
                  latest: stored.version,
                  updated_at: entry.created_at,
                  gsi1pk: schemaKeys.all,
                  gsi1sk: `${source}#${type}`,
                },
                ConditionExpression: head ? 'latest = :previous' : 'attribute_not_exists(pk)',
                ExpressionAttributeValues: head ? { ':previous': previous } : undefined,
              },
            },
            {
              Put: {
                TableName: this.table.name,
                Item: {
                  ...schemaKeys.version(source, type, stored.version),
                  ...fields,
                  schema_json: JSON.stringify(schema),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        });
        return stored;
      } catch (err) {
        // Another registration took this number: read the head again and take the next one.
        if (!isTransactionCancelled(err) || attempt === ATTEMPTS) throw err;
      }
    }
  }

  async get(source: string, type: string): Promise<SchemaEntry | undefined> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': schemaKeys.partition(source, type) },
    });
    const head = items.find((item) => item.sk === '#HEAD');
    if (!head) return undefined;
    const versions = items
      .filter((item) => String(item.sk).startsWith(schemaKeys.versionPrefix))
      .map(toVersion);
    return { head: toHead(head), versions };
  }

  async heads(): Promise<SchemaHead[]> {
    const items = await this.table.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': schemaKeys.all },
    });
    return items.map(toHead);
  }

  async retire(source: string, type: string, at: string, by: string): Promise<boolean> {
    const item = await this.table.updateIf({
      Key: schemaKeys.head(source, type),
      UpdateExpression: 'SET retired_at = :at, retired_by = :by, updated_at = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at, ':by': by },
    });
    return item !== undefined;
  }
}

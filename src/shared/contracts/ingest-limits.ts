// Limits of the ingest contract that config validation also needs (docs/api.md).

/** Most events one `POST /ingest/batch` may carry. */
export const MAX_BATCH_EVENTS = 500;

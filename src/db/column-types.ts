// Column types drizzle lacks out of the box.
import { customType } from 'drizzle-orm/pg-core';

/** Raw bytes (bytea) as a Node Buffer. The migration sets COMPRESSION lz4 on raw mail columns. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType() {
    return 'bytea';
  },
});

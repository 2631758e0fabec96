import { EntityManager, getMetadataArgsStorage } from 'typeorm';

/**
 * A read-model table is described once, by its entity: each column's name, type and nullability
 * beside the property that holds it. The row type is the entity class, and what a projection writes
 * is derived from it (insertRow, versionedUpdate), so the three agree by construction;
 * entity-columns.spec compares the entities with the migrated database.
 */
export interface EntityColumn {
  property: string;
  column: string;
  /** As Postgres names it: uuid, text, timestamptz, jsonb, boolean, integer. */
  type: string;
  nullable: boolean;
  array: boolean;
  primary: boolean;
}

type EntityClass<E = unknown> = new () => E;

const described = new Map<EntityClass, { table: string; columns: EntityColumn[]; byProperty: Map<string, EntityColumn> }>();

function describe(entity: EntityClass): { table: string; columns: EntityColumn[]; byProperty: Map<string, EntityColumn> } {
  let d = described.get(entity);
  if (!d) {
    const storage = getMetadataArgsStorage();
    const table = storage.tables.find((t) => t.target === entity)?.name;
    if (!table) throw new Error(`${entity.name} is not an @Entity with a table name`);
    const columns = storage.columns
      .filter((c) => c.target === entity)
      .map((c) => ({
        property: c.propertyName,
        column: c.options.name ?? c.propertyName,
        type: String(c.options.type),
        nullable: c.options.nullable === true,
        array: c.options.array === true,
        primary: c.options.primary === true,
      }));
    d = { table, columns, byProperty: new Map(columns.map((c) => [c.property, c])) };
    described.set(entity, d);
  }
  return d;
}

export function tableOf(entity: EntityClass): string {
  return describe(entity).table;
}

export function columnsOf(entity: EntityClass): readonly EntityColumn[] {
  return describe(entity).columns;
}

/** A whole row of the entity's table: every column, typed as the entity types it. */
export type EntityRow<E> = { [K in keyof E]: E[K] };

/** The parameter a column takes: jsonb is sent as JSON text (an array would otherwise go as a Postgres array). */
function param(column: EntityColumn, value: unknown): unknown {
  return column.type === 'jsonb' && value !== null && value !== undefined ? JSON.stringify(value) : value;
}

/** Changes to some of the entity's properties: a property it does not have is a compile error. */
export type ChangesOf<E, C> = { [K in keyof C]: K extends keyof E ? unknown : never };

/** INSERT of one whole row; a row already there (same primary key) is left as it is. */
export async function insertRow<E>(m: EntityManager, entity: EntityClass<E>, row: EntityRow<E>): Promise<void> {
  const { table, columns } = describe(entity);
  const primary = columns.filter((c) => c.primary).map((c) => c.column);
  const values = row as Record<string, unknown>;
  await m.query(
    `INSERT INTO ${table} (${columns.map((c) => c.column).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (${primary.join(', ')}) DO NOTHING`,
    columns.map((c) => param(c, values[c.property])),
  );
}

/**
 * INSERT of the given columns of one row, or, when the row is there (same primary key), UPDATE of
 * those columns: a row kept up to date column by column (the installation's status).
 */
export async function upsertColumns<E>(m: EntityManager, entity: EntityClass<E>, row: Partial<EntityRow<E>>): Promise<void> {
  const { table, columns: all } = describe(entity);
  const values = row as Record<string, unknown>;
  const columns = all.filter((c) => c.property in values);
  const primary = all.filter((c) => c.primary);
  if (primary.some((c) => !columns.includes(c))) throw new Error(`an upsert of ${table} names its primary key`);
  const sets = columns.filter((c) => !c.primary).map((c) => `${c.column} = excluded.${c.column}`);
  await m.query(
    `INSERT INTO ${table} (${columns.map((c) => c.column).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (${primary.map((c) => c.column).join(', ')}) DO ${sets.length > 0 ? `UPDATE SET ${sets.join(', ')}` : 'NOTHING'}`,
    columns.map((c) => param(c, values[c.property])),
  );
}

/**
 * UPDATE of some columns of a versioned row (one with `version`, and `updated_at` if the entity has
 * it), applied only when the row is older than `version`: an event applied twice changes nothing. A
 * property the entity does not have is refused by the compiler (and skipped in data of older
 * events); null for a NOT NULL column is skipped (refused by the API; never a stuck projector).
 */
export async function versionedUpdate<E extends { version: number }, C extends ChangesOf<E, C>>(
  m: EntityManager,
  entity: EntityClass<E>,
  id: string,
  changes: C,
  at: { occurredAt: Date; streamVersion: number },
): Promise<void> {
  const { table, columns, byProperty } = describe(entity);
  const params: unknown[] = [id, at.streamVersion];
  const sets: string[] = [];
  const set = (column: EntityColumn, value: unknown) => {
    params.push(param(column, value));
    sets.push(`${column.column} = $${params.length}`);
  };
  for (const [property, value] of Object.entries(changes)) {
    const column = byProperty.get(property);
    if (!column || (value === null && !column.nullable)) continue;
    set(column, value);
  }
  const updatedAt = byProperty.get('updatedAt');
  if (updatedAt) set(updatedAt, at.occurredAt);
  const version = byProperty.get('version')!.column;
  const [primary] = columns.filter((c) => c.primary);
  await m.query(`UPDATE ${table} SET ${[...sets, `${version} = $2`].join(', ')} WHERE ${primary.column} = $1 AND ${version} < $2`, params);
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Company-defined permissions and roles (the customer's own API), and what keys carry for it:
 * roles held by name, free metadata and the customer's own id for the key's holder. All of it is
 * security state: written inline with its events, like the rest of the key tables.
 */
export class CompanyCatalog1764300000000 implements MigrationInterface {
  name = 'CompanyCatalog1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE company_catalogs (
        company_id  uuid PRIMARY KEY,
        version     integer NOT NULL
      );

      CREATE TABLE company_permissions (
        company_id   uuid NOT NULL,
        name         text NOT NULL,
        description  text,
        created_at   timestamptz NOT NULL,
        PRIMARY KEY (company_id, name)
      );

      CREATE TABLE company_roles (
        company_id   uuid NOT NULL,
        name         text NOT NULL,
        description  text,
        permissions  text[] NOT NULL,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL,
        PRIMARY KEY (company_id, name)
      );

      ALTER TABLE api_keys
        ADD COLUMN roles text[] NOT NULL DEFAULT '{}',
        ADD COLUMN meta jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN external_id text;
      CREATE INDEX api_keys_company_external_id ON api_keys (company_id, external_id) WHERE external_id IS NOT NULL;
      CREATE INDEX api_keys_company_roles ON api_keys USING gin (roles);

    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX api_keys_company_roles;
      DROP INDEX api_keys_company_external_id;
      ALTER TABLE api_keys DROP COLUMN external_id, DROP COLUMN meta, DROP COLUMN roles;
      DROP TABLE company_roles;
      DROP TABLE company_permissions;
      DROP TABLE company_catalogs;
    `);
  }
}

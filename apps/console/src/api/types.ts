/**
 * The API's resources under the names the console uses: aliases of the schemas generated from
 * the OpenAPI document (schema.generated.ts), and the console's own wording for them.
 */
import { auditEventResponseTypeValues, meResponsePermissionsValues, type components } from './schema.generated';

type Schemas = components['schemas'];

export type Me = Schemas['MeResponse'];
export type KeyPage = Schemas['KeyPage'];
export type UserPage = Schemas['UserPage'];
export type ApiKey = Schemas['KeyResponse'];
/** The one answer that holds the key itself (create, rotate). */
export type CreatedKey = Schemas['CreatedKeyResponse'];
export type KeyStatus = ApiKey['status'];
export type User = Schemas['UserResponse'];
/** Bodies the console sends: POST /v1/keys, PATCH /v1/keys/:id, PATCH /v1/users/:id, POST /v1/webhooks. */
export type NewKey = Schemas['CreateKeyDto'];
export type KeyChanges = Schemas['UpdateKeyDto'];
export type UserChanges = Schemas['UpdateUserDto'];
export type NewWebhook = Schemas['CreateWebhookDto'];
export type AuditEvent = Schemas['AuditEventResponse'];
export type KeyStateAt = Schemas['KeyStateAtResponse'];
export type AuditVerification = Schemas['VerifyResponse'];
export type SystemStatus = Schemas['SystemStatusResponse'];
export type CentralStatus = Schemas['CentralResponse'];
export type CentralCheckResult = Schemas['CentralCheckResponse'];
export type HeartbeatResult = Schemas['HeartbeatResponse'];
export type SharedSecretMetadata = Schemas['SharedSecretMetadataResponse'];
/** POST /v1/shared-secret/rotate and /reveal: the only answers that hold the secret. */
export type SharedSecretValue = Schemas['SharedSecretResponse'];
export type UsageBucket = Schemas['UsageBucketResponse'];
export type UsageSeries = Schemas['UsageSeriesResponse'];
export type CompanyUsage = Schemas['CompanyUsageResponse'];
export type Granularity = UsageSeries['granularity'];
export type Webhook = Schemas['WebhookResponse'];
export type WebhookDelivery = Schemas['WebhookDeliveryResponse'];
export type WebhookTestResult = Schemas['WebhookTestResponse'];

/** Keyward's own permissions (a key's may also name the company's). */
export const PERMISSIONS = meResponsePermissionsValues;
export type Permission = Me['permissions'][number];

/** The built-in roles as presets of the permission picker: ADMIN = all, READONLY = every `*:read`. */
export const ROLES: Record<'ADMIN' | 'READONLY', readonly Permission[]> = {
  ADMIN: PERMISSIONS,
  READONLY: PERMISSIONS.filter((p) => p.endsWith(':read')),
};

export const PERMISSION_LABELS: Record<Permission, string> = {
  'keys:read': 'Read keys',
  'keys:write': 'Create, edit, revoke, rotate and delete keys',
  'keys:verify': 'Verify keys',
  'users:read': 'Read users',
  'users:write': 'Create and edit users',
  'audit:read': 'Read, export and verify the audit trail',
  'admin.system.api': 'System settings and queue dashboard',
};

/** Every audit event type, in the document's order. */
export const EVENT_TYPES = auditEventResponseTypeValues;
export type EventType = AuditEvent['type'];

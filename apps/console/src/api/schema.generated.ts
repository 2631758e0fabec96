/**
 * Generated from the API's OpenAPI document (apps/api/src/openapi-snapshot.ts) by
 * scripts/console-schema.js with openapi-typescript. Do not edit: run `npm run generate:console-client`.
 */
export interface paths {
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling key: who it acts for and what it may do */
        get: operations["MeController_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users, oldest first */
        get: operations["UsersController_list"];
        put?: never;
        /** Add a user to the company, with permissions or a role */
        post: operations["UsersController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user */
        get: operations["UsersController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Edit name, permissions or role; disable or enable (a disabled user's keys stop working) */
        patch: operations["UsersController_update"];
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List keys, newest first */
        get: operations["KeysController_list"];
        put?: never;
        /** Create a key; the key itself is in this response only */
        post: operations["KeysController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check a key another service received */
        post: operations["KeysController_verify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One key (never the key itself) */
        get: operations["KeysController_get"];
        put?: never;
        post?: never;
        /** Delete: gone from lists, refused everywhere; its history stays in the audit log */
        delete: operations["KeysController_remove"];
        options?: never;
        head?: never;
        /** Edit name, description, permissions, roles, meta, externalId, expiresAt, allowedIps, rateLimit */
        patch: operations["KeysController_update"];
        trace?: never;
    };
    "/v1/keys/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke; every instance refuses the key before this returns */
        post: operations["KeysController_revoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new key with the same settings; the old one works until the grace period ends */
        post: operations["KeysController_rotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}/quota": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Take up to `want` requests of the key's current rate-limit window, for a service to spend itself */
        post: operations["KeysController_quota"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/permissions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The company's own permissions */
        get: operations["PermissionsController_list"];
        put?: never;
        /** Define a permission of the company's own API (409 if reserved or taken) */
        post: operations["PermissionsController_define"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/permissions/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a permission; in use: 409 PERMISSION_IN_USE unless force=true (then taken from every role and key first) */
        delete: operations["PermissionsController_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Built-in roles, then the company's own */
        get: operations["RolesController_list"];
        put?: never;
        /** Define a role of the company's own permissions */
        post: operations["RolesController_define"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/roles/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One role */
        get: operations["RolesController_get"];
        put?: never;
        post?: never;
        /** Delete a role; the keys holding it lose it on every instance before this returns */
        delete: operations["RolesController_remove"];
        options?: never;
        head?: never;
        /** Edit a role; every key holding it follows on every instance before this returns */
        patch: operations["RolesController_update"];
        trace?: never;
    };
    "/v1/audit-events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The company's events by position (log order, or newest first with order=desc), filtered */
        get: operations["AuditController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit-events/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stream every matching event as CSV or JSON lines, with position, prevHash and hash; recorded as AuditExported
         * @description Each export holds a database cursor while its client reads, within limits: at most AUDIT_EXPORT_MAX_PER_INSTANCE at once on an API instance (else 429 `EXPORT_BUSY`) and AUDIT_EXPORT_MAX_PER_COMPANY at once for one company across the installation (else 429 `COMPANY_EXPORT_BUSY`), both with Retry-After; a client that reads nothing for AUDIT_EXPORT_IDLE_TIMEOUT_MS, or an export that runs longer than AUDIT_EXPORT_MAX_DURATION_MS, is ended: the download breaks off and AuditExported says `completed: false` with `stoppedBy`.
         */
        get: operations["AuditController_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit-events/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recompute the hash chain and hold it against the signed checkpoints
         * @description A key of the installation's operator company (the first company) verifies the whole chain (`scope: installation`). A key of any other company verifies only its company's events (`scope: company`): each one's hash is recomputed, its prevHash is checked against the stored hash of the event before it in the log, and the event after it (when another company's) must link to it; those neighbours are read, never returned, so `checked`, `head` and `firstBadPosition` count and name only the company's own events (`head` is null for a company without events). Signed checkpoints are verified with the configured signing key only (`AUDIT_SIGNING_KEY`), never with the key stored beside them: checkpoints stored with another key are counted in `checkpoints.unverifiable` and not trusted; `checkpoints.signingKey` is null when no key is configured (then nothing is verified). One verification scan runs at a time per installation; identical requests share one scan, others wait their turn. A company with a different verification already waiting or running gets 429 `VERIFY_BUSY` with Retry-After.
         */
        get: operations["AuditController_verify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit-events/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Signed chain heads (Ed25519) with the public key, newest first */
        get: operations["AuditController_checkpoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every event of one key, in log order (deleted keys too) */
        get: operations["AuditController_history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}/state": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The key as it stood at an instant, replayed from the log */
        get: operations["AuditController_state"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process answers */
        get: operations["HealthController_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Postgres and Redis answer, and the projector is within PROJECTION_LAG_MAX_SECONDS */
        get: operations["HealthController_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shared-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The company's shared secret: whether it exists, its fingerprint and dates (never the secret) */
        get: operations["SharedSecretController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shared-secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create the shared secret, or replace it; the secret is in this response only. The replaced one keeps signing webhook deliveries beside it for overlapSeconds */
        post: operations["SharedSecretController_rotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shared-secret/reveal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Show the shared secret; recorded as SharedSecretRevealed with the caller */
        post: operations["SharedSecretController_reveal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/system/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Version, central link, telemetry, queue depths and projection lag */
        get: operations["SystemController_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/system/central": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Validate a central API key against CENTRAL_URL and store it encrypted */
        put: operations["SystemController_activate"];
        post?: never;
        /** End the central link (telemetry keeps its switch, and pauses) */
        delete: operations["SystemController_deactivate"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/system/central/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check the connection now; the outcome and latency are recorded (CentralChecked) */
        post: operations["SystemController_check"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/system/telemetry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Turn telemetry (scheduled heartbeats) on or off; nothing else changes */
        put: operations["SystemController_telemetry"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/system/heartbeat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send one heartbeat now (one attempt); HeartbeatSent or HeartbeatFailed is recorded */
        post: operations["SystemController_heartbeat"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/system/dashboard-session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Open the queue dashboard in this browser for 15 minutes (sets an HttpOnly cookie for /admin/queues) */
        post: operations["DashboardSessionController_open"];
        /** End every queue dashboard session opened with this key, and clear the cookie in this browser */
        delete: operations["DashboardSessionController_close"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/verifiers/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A verifier's lease and the company's change stream (Server-Sent Events)
         * @description Registers a lease for the key's company, then streams `event: hello` (VerifierHelloEvent), `event: change` (VerifierChangeEvent) for each change of the company after `head` in seq order, `event: head` (VerifierHeadEvent) at least every second, and `: keep-alive` every 15 s. Ack with POST /v1/verifiers/{verifierId}/ack. See docs/verifier-protocol.md.
         */
        get: operations["VerifiersController_stream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/verifiers/{verifierId}/ack": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Every change up to seq applied: renews the lease */
        post: operations["VerifiersController_ack"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/verifiers/{verifierId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** A verifier that stopped answering from its cache (graceful stop) gives its lease back: changes stop waiting for it */
        delete: operations["VerifiersController_release"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The company's requests per minute, hour or day, its refusals by reason, and (groupBy=key) its busiest keys */
        get: operations["UsageSeriesController_companyUsage"];
        put?: never;
        /** Report a batch of a service's requests: one KeyUsed each, committed before the answer */
        post: operations["UsageController_report"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A key's requests per minute, hour or day: total, by status class, refused */
        get: operations["UsageSeriesController_keyUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The company's webhooks with where each one's delivery stands */
        get: operations["WebhooksController_list"];
        put?: never;
        /** Create a webhook: events after this instant are delivered to its URL */
        post: operations["WebhooksController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a webhook: nothing more is sent to it; its delivery log stays readable */
        delete: operations["WebhooksController_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a signed WebhookTest event now and answer how the receiver took it (logged as a test attempt) */
        post: operations["WebhooksController_test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A webhook's delivery attempts, newest first: status, duration, error */
        get: operations["WebhooksController_deliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        RateLimitResponse: {
            limit: number;
            windowSeconds: number;
        };
        MeResponse: {
            /** Format: uuid */
            keyId: string;
            /** Format: uuid */
            ownerId: string;
            /** Format: uuid */
            companyId: string;
            /** @description effective: the key's permissions ∩ its owner's now */
            permissions: ("keys:read" | "keys:write" | "keys:verify" | "users:read" | "users:write" | "audit:read" | "admin.system.api")[];
            /** Format: date-time */
            expiresAt: string | null;
            rateLimit: components["schemas"]["RateLimitResponse"];
            /** @description the key's allowed addresses (empty: any); keys it creates must stay inside them and expire no later than expiresAt */
            allowedIps: string[];
        };
        /** @description permissions or role: exactly one */
        CreateUserDto: {
            /** Format: email */
            email: string;
            name: string;
            /** @description give permissions or role */
            permissions?: ("keys:read" | "keys:write" | "keys:verify" | "users:read" | "users:write" | "audit:read" | "admin.system.api")[];
            /** @enum {string} */
            role?: "ADMIN" | "READONLY";
            /** @default false */
            disabled?: boolean;
        };
        UserResponse: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            companyId: string;
            email: string;
            name: string;
            permissions: ("keys:read" | "keys:write" | "keys:verify" | "users:read" | "users:write" | "audit:read" | "admin.system.api")[];
            disabled: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        UserPage: {
            items: components["schemas"]["UserResponse"][];
            nextCursor: string | null;
        };
        /** @description permissions or role, not both */
        UpdateUserDto: {
            name?: string;
            permissions?: ("keys:read" | "keys:write" | "keys:verify" | "users:read" | "users:write" | "audit:read" | "admin.system.api")[];
            /** @enum {string} */
            role?: "ADMIN" | "READONLY";
            /** @description a disabled user's keys stop working on every instance before this returns */
            disabled?: boolean;
        };
        RateLimitDto: {
            limit: number;
            windowSeconds: number;
        };
        /** @description role and roles: one or the other, not both; an administration key names no permissions, roles or role */
        CreateKeyDto: {
            /**
             * @description Keyward's own (keys:read, keys:write, keys:verify, users:read, users:write, audit:read, admin.system.api) and the company's own (defined with POST /v1/permissions)
             * @example [
             *       "keys:read",
             *       "invoices:write"
             *     ]
             */
            permissions?: string[];
            /**
             * @description one role: a shorthand for roles: [role]
             * @example READONLY
             */
            role?: string;
            /**
             * @description built-in (ADMIN, READONLY: they set the Keyward permissions) or the company's own (POST /v1/roles)
             * @example [
             *       "billing"
             *     ]
             */
            roles?: string[];
            /** @description the customer's own data about the key: a JSON object, at most 4 KB */
            meta?: {
                [key: string]: unknown;
            };
            name: string;
            description?: string;
            /** @description the customer's own id for the key's holder */
            externalId?: string;
            /**
             * @default standard
             * @enum {string}
             */
            type?: "standard" | "administration";
            /**
             * Format: date-time
             * @description in the future, at most KEY_MAX_EXPIRY_DAYS (365) days ahead
             */
            expiresAt?: string;
            /**
             * @example [
             *       "203.0.113.7",
             *       "2001:db8::/32"
             *     ]
             */
            allowedIps?: string[];
            rateLimit?: components["schemas"]["RateLimitDto"];
            /**
             * Format: uuid
             * @description another user of the company (needs users:write)
             */
            ownerId?: string;
        };
        CreatedKeyResponse: {
            /** Format: uuid */
            id: string;
            name: string;
            description: string | null;
            /** @description first 10 characters, to recognise the key */
            start: string;
            /** @enum {string} */
            type: "standard" | "administration";
            /**
             * @description Keyward's own (keys:read, keys:write, keys:verify, users:read, users:write, audit:read, admin.system.api) and the company's own (defined with POST /v1/permissions)
             * @example [
             *       "keys:read",
             *       "invoices:write"
             *     ]
             */
            permissions: string[];
            /**
             * @description built-in (ADMIN, READONLY: they set the Keyward permissions) or the company's own (POST /v1/roles)
             * @example [
             *       "billing"
             *     ]
             */
            roles: string[];
            /** @description the customer's own data about the key: a JSON object, at most 4 KB */
            meta: {
                [key: string]: unknown;
            };
            /** @description the customer's own id for the key's holder */
            externalId: string | null;
            /** Format: uuid */
            ownerId: string;
            /** Format: uuid */
            companyId: string;
            /** @enum {string} */
            status: "active" | "revoked" | "expired";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: date-time */
            expiresAt: string | null;
            /** Format: date-time */
            revokedAt: string | null;
            /**
             * Format: date-time
             * @description null: never used
             */
            lastUsedAt: string | null;
            allowedIps: string[];
            /** @description null: the configured default */
            rateLimit: components["schemas"]["RateLimitResponse"] | null;
            /** Format: uuid */
            rotatedFrom: string | null;
            /** Format: uuid */
            replacedBy: string | null;
            /** Format: date-time */
            graceEndsAt: string | null;
            /** @description the key itself — shown in this response only */
            key: string;
        };
        KeyResponse: {
            /** Format: uuid */
            id: string;
            name: string;
            description: string | null;
            /** @description first 10 characters, to recognise the key */
            start: string;
            /** @enum {string} */
            type: "standard" | "administration";
            /**
             * @description Keyward's own (keys:read, keys:write, keys:verify, users:read, users:write, audit:read, admin.system.api) and the company's own (defined with POST /v1/permissions)
             * @example [
             *       "keys:read",
             *       "invoices:write"
             *     ]
             */
            permissions: string[];
            /**
             * @description built-in (ADMIN, READONLY: they set the Keyward permissions) or the company's own (POST /v1/roles)
             * @example [
             *       "billing"
             *     ]
             */
            roles: string[];
            /** @description the customer's own data about the key: a JSON object, at most 4 KB */
            meta: {
                [key: string]: unknown;
            };
            /** @description the customer's own id for the key's holder */
            externalId: string | null;
            /** Format: uuid */
            ownerId: string;
            /** Format: uuid */
            companyId: string;
            /** @enum {string} */
            status: "active" | "revoked" | "expired";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: date-time */
            expiresAt: string | null;
            /** Format: date-time */
            revokedAt: string | null;
            /**
             * Format: date-time
             * @description null: never used
             */
            lastUsedAt: string | null;
            allowedIps: string[];
            /** @description null: the configured default */
            rateLimit: components["schemas"]["RateLimitResponse"] | null;
            /** Format: uuid */
            rotatedFrom: string | null;
            /** Format: uuid */
            replacedBy: string | null;
            /** Format: date-time */
            graceEndsAt: string | null;
        };
        KeyPage: {
            items: components["schemas"]["KeyResponse"][];
            nextCursor: string | null;
        };
        VerifiedRequestDto: {
            /** @example GET */
            method: string;
            /**
             * @description the route as declared, not the raw URL
             * @example /invoices/:id
             */
            route: string;
            userAgent?: string;
            requestId?: string;
        };
        VerifyKeyDto: {
            /** @description the key to check */
            key: string;
            /** @description the end client's address, checked against the key's allowedIps (default: the caller's) */
            ip?: string;
            /**
             * @description answer INSUFFICIENT_PERMISSIONS (with missingPermissions) unless the key has all of them
             * @example [
             *       "keys:read",
             *       "invoices:write"
             *     ]
             */
            permissions?: string[];
            /**
             * @description false: no KeyUsed is written and no rate limit is spent (for a service that reports its own usage and leases quota)
             * @default true
             */
            record?: boolean;
            /** @description the service's request that presented the key: its method, route, user agent and request id go into the trail (a refusal's AuthenticationFailed, a KeyUsed) instead of this call's */
            request?: components["schemas"]["VerifiedRequestDto"];
        };
        VerifyKeyResponse: {
            valid: boolean;
            /** @enum {string} */
            code: "VALID" | "NOT_FOUND" | "EXPIRED" | "REVOKED" | "FORBIDDEN" | "OWNER_DISABLED" | "INSUFFICIENT_PERMISSIONS" | "RATE_LIMITED";
            /** Format: uuid */
            keyId?: string;
            /** Format: uuid */
            ownerId?: string;
            /** Format: uuid */
            companyId?: string;
            /**
             * @description effective permissions: Keyward's own (key ∩ owner) and the company's (the key's and its roles')
             * @example [
             *       "keys:read",
             *       "invoices:write"
             *     ]
             */
            permissions?: string[];
            /** Format: date-time */
            expiresAt?: string | null;
            rateLimit?: components["schemas"]["RateLimitResponse"];
            name?: string;
            /**
             * @description built-in (ADMIN, READONLY: they set the Keyward permissions) or the company's own (POST /v1/roles)
             * @example [
             *       "billing"
             *     ]
             */
            roles?: string[];
            /** @description the customer's own data about the key: a JSON object, at most 4 KB */
            meta?: {
                [key: string]: unknown;
            };
            externalId?: string | null;
            /** @description the key's own allowed addresses (empty: any), when the answer names the key */
            allowedIps?: string[];
            /** @description INSUFFICIENT_PERMISSIONS: the asked permissions the key lacks */
            missingPermissions?: string[];
            /** @description FORBIDDEN: the address checked against allowedIps */
            ip?: string | null;
        };
        /** @description role and roles: one or the other, not both */
        UpdateKeyDto: {
            /**
             * @description Keyward's own (keys:read, keys:write, keys:verify, users:read, users:write, audit:read, admin.system.api) and the company's own (defined with POST /v1/permissions)
             * @example [
             *       "keys:read",
             *       "invoices:write"
             *     ]
             */
            permissions?: string[];
            /**
             * @description one role: a shorthand for roles: [role]
             * @example READONLY
             */
            role?: string;
            /**
             * @description built-in (ADMIN, READONLY: they set the Keyward permissions) or the company's own (POST /v1/roles)
             * @example [
             *       "billing"
             *     ]
             */
            roles?: string[];
            /** @description the customer's own data about the key: a JSON object, at most 4 KB */
            meta?: {
                [key: string]: unknown;
            };
            name?: string;
            /** @description null: no description */
            description?: string | null;
            /** @description null: none */
            externalId?: string | null;
            /**
             * Format: date-time
             * @description null: never expires
             */
            expiresAt?: string | null;
            allowedIps?: string[];
            /** @description null: back to the default */
            rateLimit?: components["schemas"]["RateLimitDto"] | null;
        };
        RevokeKeyDto: {
            reason?: string;
        };
        RotateKeyDto: {
            /**
             * @description how long the old key keeps working
             * @default 0
             */
            gracePeriodSeconds?: number;
        };
        QuotaDto: {
            /** @description how many requests of the current window to take */
            want: number;
        };
        QuotaResponse: {
            /** @description min(want, what is left of the window); 0 when nothing is left */
            granted: number;
            limit: number;
            windowSeconds: number;
            /** @description seconds until the window resets */
            resetSeconds: number;
        };
        DefinePermissionDto: {
            /**
             * @description 3 to 100 of a-z 0-9 _ - . :, with ':' or '.'; Keyward's own permissions are reserved
             * @example invoices:write
             */
            name: string;
            description?: string;
        };
        PermissionResponse: {
            name: string;
            description: string | null;
            /** Format: date-time */
            createdAt: string;
        };
        PermissionList: {
            items: components["schemas"]["PermissionResponse"][];
        };
        DefineRoleDto: {
            /**
             * @description 2 to 64 of letters, digits, _ - . : (ADMIN and READONLY are built in)
             * @example billing
             */
            name: string;
            description?: string;
            /**
             * @description the company's own permissions (they must exist)
             * @example [
             *       "invoices:read",
             *       "invoices:write"
             *     ]
             */
            permissions: string[];
        };
        RoleResponse: {
            name: string;
            description: string | null;
            permissions: string[];
            /** @description ADMIN and READONLY: Keyward permissions, fixed */
            builtIn: boolean;
            /** Format: date-time */
            createdAt: string | null;
            /** Format: date-time */
            updatedAt: string | null;
        };
        RoleList: {
            items: components["schemas"]["RoleResponse"][];
        };
        UpdateRoleDto: {
            /** @description null: no description */
            description?: string | null;
            /** @description replaces the list; every key holding the role follows before the call returns */
            permissions?: string[];
        };
        AuditActorResponse: {
            /** @enum {string} */
            type: "user" | "key" | "system";
            /** @description the user or key id, or the system actor's name */
            id: string;
        };
        AuditMetadataResponse: {
            /** @description client address */
            ip?: string | null;
            userAgent?: string | null;
            requestId?: string | null;
        };
        AuditEventResponse: {
            position: number;
            /** Format: uuid */
            eventId: string;
            streamId: string;
            streamVersion: number;
            /** @enum {string} */
            type: "CompanyCreated" | "UserCreated" | "UserUpdated" | "KeyCreated" | "KeyUpdated" | "KeyRotated" | "KeyRevoked" | "KeyExpired" | "KeyExpiringSoon" | "KeyDeleted" | "KeyUsed" | "AuthenticationFailed" | "PermissionDefined" | "PermissionRemoved" | "RoleDefined" | "RoleUpdated" | "RoleDeleted" | "SharedSecretRotated" | "SharedSecretRevealed" | "CentralActivated" | "CentralDeactivated" | "CentralChecked" | "TelemetryEnabled" | "TelemetryDisabled" | "HeartbeatSent" | "HeartbeatFailed" | "AuditExported" | "WebhookCreated" | "WebhookDeleted";
            /** Format: date-time */
            occurredAt: string;
            /** Format: uuid */
            companyId: string | null;
            /**
             * @example {
             *       "type": "key",
             *       "id": "…"
             *     }
             */
            actor: components["schemas"]["AuditActorResponse"];
            /** @description the event's own fields, by type (docs/audit-trail.md) */
            data: {
                [key: string]: unknown;
            };
            /**
             * @example {
             *       "ip": "203.0.113.7",
             *       "userAgent": "curl/8",
             *       "requestId": "…"
             *     }
             */
            metadata: components["schemas"]["AuditMetadataResponse"];
            /** @description hash of the event before it in the chain */
            prevHash: string;
            /** @description SHA-256 of the canonical JSON of this event (prevHash included) */
            hash: string;
        };
        AuditPageResponse: {
            items: components["schemas"]["AuditEventResponse"][];
            nextCursor: string | null;
        };
        ChainPositionResponse: {
            position: number;
            hash: string;
        };
        SigningKeyResponse: {
            /** @enum {string} */
            algorithm: "Ed25519";
            /** @description `sha256:` and the hex SHA-256 of the public key (SPKI DER) */
            fingerprint: string;
        };
        UnverifiableCheckpointResponse: {
            position: number;
            /** @description fingerprint of the key stored with it (not the configured one) */
            keyFingerprint: string | null;
        };
        ContradictedCheckpointResponse: {
            position: number;
            signedHash: string;
            /** @description the hash the log has at that position now (null: no event there); only in installation-wide answers */
            logHash?: string | null;
            /**
             * @description signature_invalid: stored as signed by the configured key but its signature does not verify; hash_differs: the log has another hash at its position; previous_differs: its `previous` is not the checkpoint stored before it (one was removed or slipped in)
             * @enum {string}
             */
            reason: "signature_invalid" | "hash_differs" | "previous_differs";
        };
        CheckpointsCheckResponse: {
            /** @description the configured signing key (AUDIT_SIGNING_KEY) checkpoints are verified with; null: none is configured, nothing is verified */
            signingKey: components["schemas"]["SigningKeyResponse"] | null;
            /** @description checkpoints verified with the configured key: signature, link to the one before, hash at their position */
            checked: number;
            /** @description checkpoints stored with another key (e.g. before a key change), or all of them without a configured key: not trusted */
            unverifiable: number;
            firstUnverifiable?: components["schemas"]["UnverifiableCheckpointResponse"];
            firstContradicted?: components["schemas"]["ContradictedCheckpointResponse"];
        };
        VerifyResponse: {
            /**
             * @description installation: the whole chain (keys of the operator company); company: only the key's company's events
             * @enum {string}
             */
            scope: "installation" | "company";
            /** @description no event fails and no verified checkpoint contradicts the log */
            ok: boolean;
            /** @description events checked: of the whole log, or of the company only */
            checked: number;
            /** @description the first position that fails; with scope company always one of the company's own */
            firstBadPosition?: number;
            /**
             * @description next_prev_hash_mismatch (scope company): the event after it in the log, another company's, does not link to it
             * @enum {string}
             */
            reason?: "prev_hash_mismatch" | "hash_mismatch" | "next_prev_hash_mismatch";
            /** @description the last event that passed (of the log, or of the company); null when none did or the company has no events */
            head: components["schemas"]["ChainPositionResponse"] | null;
            /** @description signed checkpoints held against the log */
            checkpoints: components["schemas"]["CheckpointsCheckResponse"];
        };
        CheckpointResponse: {
            position: number;
            hash: string;
            /** @description the checkpoint before this one; null for the first */
            previous: components["schemas"]["ChainPositionResponse"] | null;
            /** Format: date-time */
            signedAt: string;
            /** @description Ed25519 over the canonical JSON of { position, hash, previous, signedAt }, base64 */
            signature: string;
            /** @description SPKI PEM of the signing key */
            publicKey: string;
        };
        CheckpointPageResponse: {
            /** @enum {string} */
            algorithm: "Ed25519";
            publicKey: string | null;
            items: components["schemas"]["CheckpointResponse"][];
            nextCursor: string | null;
        };
        KeyStateAtResponse: {
            /** Format: uuid */
            keyId: string;
            /**
             * Format: date-time
             * @description the instant answered for
             */
            at: string;
            /** @description the last event (of the key or its owner) taken into account; null when none */
            asOfPosition: number | null;
            /** @description the key had been created by then */
            existed: boolean;
            /** @enum {string} */
            status: "not-created" | "active" | "revoked" | "expired" | "deleted";
            /** @enum {string|null} */
            type: "standard" | "administration" | null;
            permissions: string[];
            /** Format: uuid */
            ownerId: string | null;
            ownerPermissions: string[];
            /** @description null when the owner is not known at that instant */
            ownerDisabled: boolean | null;
            allowedIps: string[];
            /** Format: date-time */
            expiresAt: string | null;
            /**
             * Format: date-time
             * @description end of a rotation grace, when the key was replaced
             */
            graceEndsAt: string | null;
            rateLimit: components["schemas"]["RateLimitResponse"] | null;
            /** @description what a request with this key could do at that instant (from an allowed address) */
            effectivePermissions: string[];
            /** @description a request with this key would have been authenticated at that instant */
            couldAuthenticate: boolean;
        };
        SharedSecretMetadataResponse: {
            exists: boolean;
            /**
             * @description first 16 hex of SHA-256(secret)
             * @example sha256:3f1c9a0b7e2d4c51
             */
            fingerprint: string | null;
            /** Format: date-time */
            createdAt: string | null;
            /**
             * Format: date-time
             * @description last rotation; null if never rotated
             */
            rotatedAt: string | null;
        };
        RotateSharedSecretDto: {
            /**
             * @description how long the replaced secret keeps signing webhook deliveries beside the new one (two v1=), so receivers can switch; 0: it stops at once (a leak)
             * @default 86400
             */
            overlapSeconds?: number;
        };
        SharedSecretResponse: {
            /**
             * @description `kwss_` + 43 base64url characters (32 random bytes). Signs outbound requests: Keyward-Signature.
             * @example kwss_…
             */
            secret: string;
            /** @example sha256:3f1c9a0b7e2d4c51 */
            fingerprint: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            rotatedAt: string | null;
            /**
             * Format: date-time
             * @description rotate only: until when the replaced secret still signs webhook deliveries (null: it stopped at once, or none was replaced)
             */
            previousValidUntil?: string | null;
        };
        QueueCountsResponse: {
            waiting: number;
            active: number;
            failed: number;
            delayed: number;
        };
        CentralResponse: {
            /**
             * @description not_configured: no CENTRAL_URL; inactive: no link; url_changed: activated for another CENTRAL_URL; active / rejected / unreachable: linked, and how the last contact (activation, check, heartbeat) went
             * @enum {string}
             */
            status: "not_configured" | "inactive" | "url_changed" | "active" | "rejected" | "unreachable";
            /** @description CENTRAL_URL */
            url: string | null;
            /** Format: uuid */
            installationId: string | null;
            /** Format: date-time */
            activatedAt: string | null;
            /** Format: date-time */
            lastCheckAt: string | null;
            /** @enum {string|null} */
            lastCheckOutcome: "ok" | "rejected" | "unreachable" | "timeout" | null;
            /**
             * Format: date-time
             * @description last heartbeat the central service accepted
             */
            lastHeartbeatAt: string | null;
        };
        TelemetryResponse: {
            enabled: boolean;
            /**
             * @description paused: enabled, but the central link cannot be used (pausedReason)
             * @enum {string}
             */
            state: "off" | "on" | "paused";
            /** @enum {string|null} */
            pausedReason: "CENTRAL_NOT_CONFIGURED" | "CENTRAL_NOT_ACTIVE" | "CENTRAL_URL_CHANGED" | null;
            intervalMs: number;
            /** Format: date-time */
            lastFailureAt: string | null;
            lastFailureReason: string | null;
        };
        ProjectionLagResponse: {
            /** @description events committed after the projector's checkpoint */
            events: number;
            /** @description age of the oldest of them (0 when none) */
            seconds: number;
        };
        SystemStatusResponse: {
            /** @example 0.1.0 */
            version: string;
            central: components["schemas"]["CentralResponse"];
            telemetry: components["schemas"]["TelemetryResponse"];
            /** @description per BullMQ queue; null when Redis did not answer */
            queues: {
                [key: string]: components["schemas"]["QueueCountsResponse"] | null;
            };
            projectionLag: components["schemas"]["ProjectionLagResponse"];
        };
        ActivateCentralDto: {
            /** @description the API key the central service issued to this installation; validated against CENTRAL_URL, stored encrypted */
            apiKey: string;
        };
        CentralCheckResponse: {
            /** @enum {string} */
            outcome: "ok" | "rejected" | "unreachable" | "timeout";
            httpStatus: number | null;
            latencyMs: number;
            reason: string | null;
            /** Format: date-time */
            checkedAt: string;
            central: components["schemas"]["CentralResponse"];
        };
        SetTelemetryDto: {
            /** @description true: send heartbeats every TELEMETRY_INTERVAL_MS; false (the default): none */
            enabled: boolean;
        };
        HeartbeatResponse: {
            /** @enum {string} */
            outcome: "sent" | "failed";
            heartbeatId: string;
            attempt: number;
            httpStatus?: number | null;
            latencyMs?: number | null;
            /** Format: date-time */
            sentAt?: string;
            /**
             * @description failed only
             * @enum {string}
             */
            failure?: "rejected" | "unreachable" | "timeout" | "error";
            /** @description failed only */
            reason?: string;
            /** @description failed only: HeartbeatFailed was recorded, no attempt follows */
            final?: boolean;
            /** @description failed only: another attempt may succeed (no connection, timeout) */
            retryable?: boolean;
        };
        DashboardSessionResponse: {
            /** @example /admin/queues */
            url: string;
            /** Format: date-time */
            expiresAt: string;
        };
        VerifierHelloEvent: {
            /** Format: uuid */
            verifierId: string;
            leaseMs: number;
            /** @description changes after this seq follow on the stream */
            head: number;
        };
        VerifierChangeEvent: {
            seq: number;
            /** @description drop these keys */
            keyIds: string[];
            /** @description drop every key of these owners */
            ownerIds: string[];
            /** @description a role or permission changed: drop every cached key */
            wholeCompany: boolean;
        };
        VerifierHeadEvent: {
            seq: number;
        };
        VerifierAckDto: {
            /** @description every change up to this seq has been applied to the cache */
            seq: number;
        };
        VerifierAckResponse: {
            /** @description the lease, renewed from now (database clock) */
            leaseMs: number;
        };
        ReportedUseDto: {
            /**
             * Format: uuid
             * @description chosen by the service: a retried batch appends nothing twice
             */
            eventId: string;
            /**
             * Format: uuid
             * @description a key of the caller's company
             */
            keyId: string;
            /** @example GET */
            method: string;
            /**
             * @description the route as declared, not the raw URL
             * @example /invoices/:id
             */
            route: string;
            status: number;
            /** @example 203.0.113.7 */
            ip: string;
            userAgent?: string;
            requestId?: string;
            durationMs: number;
            /**
             * Format: date-time
             * @description within the last 24 h
             */
            occurredAt: string;
        };
        UsageBatchDto: {
            records: components["schemas"]["ReportedUseDto"][];
        };
        UsageBatchResponse: {
            /** @description the records of the batch, each now a KeyUsed event in the log (a retried batch answers the same and appends nothing twice) */
            appended: number;
        };
        ByStatusResponse: {
            "2xx": number;
            "3xx": number;
            "4xx": number;
            "5xx": number;
        };
        UsageBucketResponse: {
            /** Format: date-time */
            start: string;
            /** @description requests of the bucket: KeyUsed and refused authentications */
            total: number;
            /** @description KeyUsed by status class */
            byStatus: components["schemas"]["ByStatusResponse"];
            /** @description AuthenticationFailed (refused keys) */
            refused: number;
        };
        UsageSeriesResponse: {
            /** @enum {string} */
            granularity: "minute" | "hour" | "day";
            /** Format: date-time */
            from: string;
            /** Format: date-time */
            to: string;
            buckets: components["schemas"]["UsageBucketResponse"][];
        };
        RefusalCountResponse: {
            /** @description why the key was refused, as AuthenticationFailed records it (e.g. NOT_FOUND, REVOKED, EXPIRED, DELETED, FORBIDDEN, OWNER_DISABLED) */
            reason: string;
            /** @description refused authentications with this reason in the range */
            count: number;
        };
        KeyUsageTotalResponse: {
            /** Format: uuid */
            keyId: string;
            name: string | null;
            total: number;
            refused: number;
        };
        CompanyUsageResponse: {
            /** @enum {string} */
            granularity: "minute" | "hour" | "day";
            /** Format: date-time */
            from: string;
            /** Format: date-time */
            to: string;
            buckets: components["schemas"]["UsageBucketResponse"][];
            /** @description the range's refused authentications (AuthenticationFailed of the company's keys, and of unknown keys where the company is known) by reason, most first; the counts add up to the buckets' refused */
            refusedByReason: components["schemas"]["RefusalCountResponse"][];
            /** @description with groupBy=key: the busiest keys, most requests first */
            keys?: components["schemas"]["KeyUsageTotalResponse"][];
        };
        CreateWebhookDto: {
            /**
             * Format: uri
             * @description http(s) URL of the receiver; no credentials in it. Private, loopback and link-local addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true
             * @example https://siem.example.com/keyward
             */
            url: string;
            /**
             * @description event types, or ["*"] alone
             * @example [
             *       "KeyCreated",
             *       "KeyRevoked",
             *       "KeyExpiringSoon"
             *     ]
             */
            events: ("*" | "AuditExported" | "AuthenticationFailed" | "CentralActivated" | "CentralChecked" | "CentralDeactivated" | "CompanyCreated" | "HeartbeatFailed" | "HeartbeatSent" | "KeyCreated" | "KeyDeleted" | "KeyExpired" | "KeyExpiringSoon" | "KeyRevoked" | "KeyRotated" | "KeyUpdated" | "KeyUsed" | "PermissionDefined" | "PermissionRemoved" | "RoleDefined" | "RoleDeleted" | "RoleUpdated" | "SharedSecretRevealed" | "SharedSecretRotated" | "TelemetryDisabled" | "TelemetryEnabled" | "UserCreated" | "UserUpdated" | "WebhookCreated" | "WebhookDeleted")[];
            description?: string;
        };
        WebhookResponse: {
            /** Format: uuid */
            id: string;
            url: string;
            events: string[];
            description: string | null;
            /** Format: date-time */
            createdAt: string;
            /**
             * @description failing from the first failed attempt until one succeeds
             * @enum {string}
             */
            state: "active" | "failing";
            /** @description events waiting to be delivered (counted up to 100,000) */
            backlog: number;
            /** @description log position of the last event the receiver acknowledged (the webhook's own creation at first) */
            deliveredPosition: number;
            /** Format: date-time */
            lastDeliveryAt: string | null;
            /** @description HTTP status of the last attempt; null when no answer came */
            lastStatus: number | null;
            lastError: string | null;
            /** Format: date-time */
            failingSince: string | null;
            /**
             * Format: date-time
             * @description when the failed event is tried again
             */
            nextAttemptAt: string | null;
        };
        WebhookList: {
            items: components["schemas"]["WebhookResponse"][];
            nextCursor: string | null;
        };
        WebhookTestResponse: {
            /** @description the receiver answered 2xx */
            ok: boolean;
            status: number | null;
            durationMs: number;
            error: string | null;
        };
        WebhookDeliveryResponse: {
            id: string;
            /** Format: date-time */
            attemptedAt: string;
            /** @description log position of the event; null for a test */
            position: number | null;
            eventType: string;
            /** @description 1 for the first attempt at this event, then 2, 3, … */
            attempt: number;
            status: number | null;
            ok: boolean;
            durationMs: number;
            error: string | null;
            test: boolean;
        };
        WebhookDeliveryList: {
            items: components["schemas"]["WebhookDeliveryResponse"][];
            nextCursor: string | null;
        };
        /** @description RFC 9457 problem details; `code` is stable, `errors` names each failing field */
        Problem: {
            /** Format: uri */
            type: string;
            title: string;
            status: number;
            detail: string;
            /** @example VALIDATION_FAILED */
            code: string;
            errors?: {
                field: string;
                message: string;
            }[];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    MeController_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UsersController_list: {
        parameters: {
            query?: {
                limit?: number;
                /** @description opaque cursor from a previous page (nextCursor) */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPage"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UsersController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateUserDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UsersController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UsersController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateUserDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    KeysController_list: {
        parameters: {
            query?: {
                limit?: number;
                /** @description opaque cursor from a previous page (nextCursor) */
                cursor?: string;
                /** @description comma-separated: active,revoked,expired */
                status?: ("active" | "revoked" | "expired")[];
                ownerId?: string;
                /** @description part of the name */
                q?: string;
                /** @description the customer's own id for the key's holder (exact) */
                externalId?: string;
                /** @description keys never used, or last used before this instant (clean up inactive keys) */
                unusedSince?: string;
                /** @description createdAt: newest first; lastUsedAt: most recently used first, never used last; name: A→Z (order reverses each) */
                sort?: "createdAt" | "lastUsedAt" | "name";
                /** @description default: the sort's own (desc for times, asc for name) */
                order?: "asc" | "desc";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyPage"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    KeysController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateKeyDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedKeyResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description ownerId: no such user in this company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a permission or role the body names is not in the company's catalog (UNKNOWN_PERMISSION_OR_ROLE), or the owner is disabled (OWNER_DISABLED) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    KeysController_verify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VerifyKeyDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerifyKeyResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    KeysController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    KeysController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    KeysController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateKeyDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a permission or role the body names is not in the company's catalog (UNKNOWN_PERMISSION_OR_ROLE) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    KeysController_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RevokeKeyDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    KeysController_rotate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RotateKeyDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedKeyResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    KeysController_quota: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["QuotaDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QuotaResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description NOT_FOUND: no such key in this company (problem+json) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description UNAVAILABLE: Redis does not answer; only it counts exactly across services (Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    PermissionsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PermissionList"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    PermissionsController_define: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DefinePermissionDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PermissionResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    PermissionsController_remove: {
        parameters: {
            query?: {
                /** @description also take it from every role and key that holds it (audited) */
                force?: boolean;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    RolesController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoleList"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    RolesController_define: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DefineRoleDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoleResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a permission or role the body names is not in the company's catalog (UNKNOWN_PERMISSION_OR_ROLE) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    RolesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoleResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    RolesController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    RolesController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateRoleDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoleResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a permission or role the body names is not in the company's catalog (UNKNOWN_PERMISSION_OR_ROLE) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditController_list: {
        parameters: {
            query?: {
                limit?: number;
                /** @description opaque cursor from a previous page (nextCursor) */
                cursor?: string;
                /** @description event types, comma-separated or repeated */
                type?: ("CompanyCreated" | "UserCreated" | "UserUpdated" | "KeyCreated" | "KeyUpdated" | "KeyRotated" | "KeyRevoked" | "KeyExpired" | "KeyExpiringSoon" | "KeyDeleted" | "KeyUsed" | "AuthenticationFailed" | "PermissionDefined" | "PermissionRemoved" | "RoleDefined" | "RoleUpdated" | "RoleDeleted" | "SharedSecretRotated" | "SharedSecretRevealed" | "CentralActivated" | "CentralDeactivated" | "CentralChecked" | "TelemetryEnabled" | "TelemetryDisabled" | "HeartbeatSent" | "HeartbeatFailed" | "AuditExported" | "WebhookCreated" | "WebhookDeleted")[];
                keyId?: string;
                /** @description id of the acting key, user or system actor */
                actorId?: string;
                /** @description occurredAt ≥ from */
                from?: string;
                /** @description occurredAt < to */
                to?: string;
                /** @description client address (IPv4 or IPv6) */
                ip?: string;
                requestId?: string;
                /** @description asc: log order (oldest first); desc: newest first. A cursor walks on in the order it was returned for. */
                order?: "asc" | "desc";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPageResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditController_export: {
        parameters: {
            query: {
                limit?: number;
                /** @description opaque cursor from a previous page (nextCursor) */
                cursor?: string;
                /** @description event types, comma-separated or repeated */
                type?: ("CompanyCreated" | "UserCreated" | "UserUpdated" | "KeyCreated" | "KeyUpdated" | "KeyRotated" | "KeyRevoked" | "KeyExpired" | "KeyExpiringSoon" | "KeyDeleted" | "KeyUsed" | "AuthenticationFailed" | "PermissionDefined" | "PermissionRemoved" | "RoleDefined" | "RoleUpdated" | "RoleDeleted" | "SharedSecretRotated" | "SharedSecretRevealed" | "CentralActivated" | "CentralDeactivated" | "CentralChecked" | "TelemetryEnabled" | "TelemetryDisabled" | "HeartbeatSent" | "HeartbeatFailed" | "AuditExported" | "WebhookCreated" | "WebhookDeleted")[];
                keyId?: string;
                /** @description id of the acting key, user or system actor */
                actorId?: string;
                /** @description occurredAt ≥ from */
                from?: string;
                /** @description occurredAt < to */
                to?: string;
                /** @description client address (IPv4 or IPv6) */
                ip?: string;
                requestId?: string;
                format: "csv" | "jsonl";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the events, streamed: CSV (format=csv) or one JSON object a line (format=jsonl) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `EXPORT_BUSY` (this instance) or `COMPANY_EXPORT_BUSY` (this company): retry after Retry-After seconds */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditController_verify: {
        parameters: {
            query?: {
                /** @description start at this position, trusting the one before it */
                from?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerifyResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `VERIFY_BUSY`: this company already has a different verification waiting or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditController_checkpoints: {
        parameters: {
            query?: {
                limit?: number;
                /** @description opaque cursor from a previous page (nextCursor) */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CheckpointPageResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditController_history: {
        parameters: {
            query?: {
                limit?: number;
                /** @description opaque cursor from a previous page (nextCursor) */
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPageResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditController_state: {
        parameters: {
            query: {
                /** @description the instant to answer for */
                at: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyStateAtResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    HealthController_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    HealthController_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description { status: "ok", checks } */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem+json NOT_READY naming each failing check */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    SharedSecretController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SharedSecretMetadataResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SharedSecretController_rotate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RotateSharedSecretDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SharedSecretResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description SECRETS_KEY_NOT_CONFIGURED: SECRETS_ENCRYPTION_KEY is not set on the server; SECRETS_KEY_MISMATCH: the secret was sealed under another key (nothing changed) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SharedSecretController_reveal: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SharedSecretResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description SECRETS_KEY_NOT_CONFIGURED: SECRETS_ENCRYPTION_KEY is not set on the server; SECRETS_KEY_MISMATCH: the secret was sealed under another key (nothing changed) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SystemController_status: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SystemStatusResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SystemController_activate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ActivateCentralDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CentralResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description SHARED_SECRET_REQUIRED: create the shared secret first (it signs every request); CENTRAL_NOT_CONFIGURED: CENTRAL_URL is not set; SECRETS_KEY_NOT_CONFIGURED / SECRETS_KEY_MISMATCH: SECRETS_ENCRYPTION_KEY is not set, or is not the key that sealed the secret (nothing changed) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CENTRAL_KEY_REJECTED: the central service refused the key (nothing changed) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CENTRAL_UNREACHABLE: no connection, or an unexpected answer (nothing changed) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description CENTRAL_TIMEOUT: no answer within CENTRAL_TIMEOUT_MS (nothing changed) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    SystemController_deactivate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CENTRAL_NOT_ACTIVE */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SystemController_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CentralCheckResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CENTRAL_NOT_CONFIGURED (CENTRAL_URL is not set), CENTRAL_NOT_ACTIVE or CENTRAL_URL_CHANGED */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SystemController_telemetry: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetTelemetryDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TelemetryResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SystemController_heartbeat: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HeartbeatResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CENTRAL_NOT_CONFIGURED (CENTRAL_URL is not set), CENTRAL_NOT_ACTIVE or CENTRAL_URL_CHANGED */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    DashboardSessionController_open: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DashboardSessionResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    DashboardSessionController_close: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    VerifiersController_stream: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream; each `data:` line is JSON: hello, change or head */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["VerifierHelloEvent"] | components["schemas"]["VerifierChangeEvent"] | components["schemas"]["VerifierHeadEvent"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description UNAVAILABLE: the instance is shutting down (Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    VerifiersController_ack: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                verifierId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VerifierAckDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerifierAckResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description VERIFIER_NOT_FOUND: no such lease of this company (problem+json) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description VERIFIER_LEASE_LAPSED: empty the cache and open a new stream (problem+json) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    VerifiersController_release: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                verifierId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description VERIFIER_NOT_FOUND: no such lease of this company (problem+json) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UsageSeriesController_companyUsage: {
        parameters: {
            query?: {
                /** @description start of the range (inclusive; moved back to its bucket's start). Default: to − 1 h (minute), − 24 h (hour), − 30 days (day) */
                from?: string;
                /** @description end of the range (exclusive; moved on to its bucket's end). Default: now */
                to?: string;
                /** @description buckets of a minute, an hour or a day (UTC); at most 1500 per answer */
                granularity?: "minute" | "hour" | "day";
                /** @description key: also the busiest keys of the range (at most 10) */
                groupBy?: "key";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CompanyUsageResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UsageController_report: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UsageBatchDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsageBatchResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description UNKNOWN_KEY naming records[i].keyId: not a key of this company (problem+json; nothing appended) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UsageSeriesController_keyUsage: {
        parameters: {
            query?: {
                /** @description start of the range (inclusive; moved back to its bucket's start). Default: to − 1 h (minute), − 24 h (hour), − 30 days (day) */
                from?: string;
                /** @description end of the range (exclusive; moved on to its bucket's end). Default: now */
                to?: string;
                /** @description buckets of a minute, an hour or a day (UTC); at most 1500 per answer */
                granularity?: "minute" | "hour" | "day";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsageSeriesResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    WebhooksController_list: {
        parameters: {
            query?: {
                limit?: number;
                /** @description opaque cursor from a previous page (nextCursor) */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookList"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    WebhooksController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateWebhookDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description SHARED_SECRET_REQUIRED (deliveries are signed with it); WEBHOOK_LIMIT_REACHED */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the body is larger than the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description WEBHOOK_TARGET_REFUSED (non-public address), WEBHOOK_TARGET_UNRESOLVABLE (field url) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    WebhooksController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    WebhooksController_test: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookTestResponse"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    WebhooksController_deliveries: {
        parameters: {
            query?: {
                limit?: number;
                /** @description opaque cursor from a previous page (nextCursor) */
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryList"];
                };
            };
            /** @description bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing, malformed, ambiguous or invalid key (problem+json, WWW-Authenticate: Bearer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description INSUFFICIENT_PERMISSIONS */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description nothing of that id (or name) in the key's company */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the key's rate limit is spent (Retry-After says when to retry) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
type FlattenedDeepRequired<T> = {
    [K in keyof T]-?: FlattenedDeepRequired<T[K] extends unknown[] | undefined | null ? Extract<T[K], unknown[]>[number] : T[K]>;
};
type ReadonlyArray<T> = [
    Exclude<T, undefined>
] extends [
    unknown[]
] ? Readonly<Exclude<T, undefined>> : Readonly<Exclude<T, undefined>[]>;
export const pathsV1KeysGetParametersQueryStatusValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/keys"]["get"]["parameters"]["query"]["status"]> = ["active", "revoked", "expired"];
export const pathsV1KeysGetParametersQuerySortValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/keys"]["get"]["parameters"]["query"]["sort"]> = ["createdAt", "lastUsedAt", "name"];
export const pathsV1KeysGetParametersQueryOrderValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/keys"]["get"]["parameters"]["query"]["order"]> = ["asc", "desc"];
export const pathsV1AuditEventsGetParametersQueryTypeValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/audit-events"]["get"]["parameters"]["query"]["type"]> = ["CompanyCreated", "UserCreated", "UserUpdated", "KeyCreated", "KeyUpdated", "KeyRotated", "KeyRevoked", "KeyExpired", "KeyExpiringSoon", "KeyDeleted", "KeyUsed", "AuthenticationFailed", "PermissionDefined", "PermissionRemoved", "RoleDefined", "RoleUpdated", "RoleDeleted", "SharedSecretRotated", "SharedSecretRevealed", "CentralActivated", "CentralDeactivated", "CentralChecked", "TelemetryEnabled", "TelemetryDisabled", "HeartbeatSent", "HeartbeatFailed", "AuditExported", "WebhookCreated", "WebhookDeleted"];
export const pathsV1AuditEventsGetParametersQueryOrderValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/audit-events"]["get"]["parameters"]["query"]["order"]> = ["asc", "desc"];
export const pathsV1AuditEventsExportGetParametersQueryTypeValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/audit-events/export"]["get"]["parameters"]["query"]["type"]> = ["CompanyCreated", "UserCreated", "UserUpdated", "KeyCreated", "KeyUpdated", "KeyRotated", "KeyRevoked", "KeyExpired", "KeyExpiringSoon", "KeyDeleted", "KeyUsed", "AuthenticationFailed", "PermissionDefined", "PermissionRemoved", "RoleDefined", "RoleUpdated", "RoleDeleted", "SharedSecretRotated", "SharedSecretRevealed", "CentralActivated", "CentralDeactivated", "CentralChecked", "TelemetryEnabled", "TelemetryDisabled", "HeartbeatSent", "HeartbeatFailed", "AuditExported", "WebhookCreated", "WebhookDeleted"];
export const pathsV1AuditEventsExportGetParametersQueryFormatValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/audit-events/export"]["get"]["parameters"]["query"]["format"]> = ["csv", "jsonl"];
export const pathsV1UsageGetParametersQueryGranularityValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/usage"]["get"]["parameters"]["query"]["granularity"]> = ["minute", "hour", "day"];
export const pathsV1UsageGetParametersQueryGroupByValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/usage"]["get"]["parameters"]["query"]["groupBy"]> = ["key"];
export const pathsV1KeysIdUsageGetParametersQueryGranularityValues: ReadonlyArray<FlattenedDeepRequired<paths>["/v1/keys/{id}/usage"]["get"]["parameters"]["query"]["granularity"]> = ["minute", "hour", "day"];
export const meResponsePermissionsValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["MeResponse"]["permissions"]> = ["keys:read", "keys:write", "keys:verify", "users:read", "users:write", "audit:read", "admin.system.api"];
export const createUserDtoPermissionsValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CreateUserDto"]["permissions"]> = ["keys:read", "keys:write", "keys:verify", "users:read", "users:write", "audit:read", "admin.system.api"];
export const createUserDtoRoleValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CreateUserDto"]["role"]> = ["ADMIN", "READONLY"];
export const userResponsePermissionsValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["UserResponse"]["permissions"]> = ["keys:read", "keys:write", "keys:verify", "users:read", "users:write", "audit:read", "admin.system.api"];
export const updateUserDtoPermissionsValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["UpdateUserDto"]["permissions"]> = ["keys:read", "keys:write", "keys:verify", "users:read", "users:write", "audit:read", "admin.system.api"];
export const updateUserDtoRoleValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["UpdateUserDto"]["role"]> = ["ADMIN", "READONLY"];
export const createKeyDtoTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CreateKeyDto"]["type"]> = ["standard", "administration"];
export const createdKeyResponseTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CreatedKeyResponse"]["type"]> = ["standard", "administration"];
export const createdKeyResponseStatusValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CreatedKeyResponse"]["status"]> = ["active", "revoked", "expired"];
export const keyResponseTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["KeyResponse"]["type"]> = ["standard", "administration"];
export const keyResponseStatusValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["KeyResponse"]["status"]> = ["active", "revoked", "expired"];
export const verifyKeyResponseCodeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["VerifyKeyResponse"]["code"]> = ["VALID", "NOT_FOUND", "EXPIRED", "REVOKED", "FORBIDDEN", "OWNER_DISABLED", "INSUFFICIENT_PERMISSIONS", "RATE_LIMITED"];
export const auditActorResponseTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["AuditActorResponse"]["type"]> = ["user", "key", "system"];
export const auditEventResponseTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["AuditEventResponse"]["type"]> = ["CompanyCreated", "UserCreated", "UserUpdated", "KeyCreated", "KeyUpdated", "KeyRotated", "KeyRevoked", "KeyExpired", "KeyExpiringSoon", "KeyDeleted", "KeyUsed", "AuthenticationFailed", "PermissionDefined", "PermissionRemoved", "RoleDefined", "RoleUpdated", "RoleDeleted", "SharedSecretRotated", "SharedSecretRevealed", "CentralActivated", "CentralDeactivated", "CentralChecked", "TelemetryEnabled", "TelemetryDisabled", "HeartbeatSent", "HeartbeatFailed", "AuditExported", "WebhookCreated", "WebhookDeleted"];
export const signingKeyResponseAlgorithmValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["SigningKeyResponse"]["algorithm"]> = ["Ed25519"];
export const contradictedCheckpointResponseReasonValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["ContradictedCheckpointResponse"]["reason"]> = ["signature_invalid", "hash_differs", "previous_differs"];
export const verifyResponseScopeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["VerifyResponse"]["scope"]> = ["installation", "company"];
export const verifyResponseReasonValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["VerifyResponse"]["reason"]> = ["prev_hash_mismatch", "hash_mismatch", "next_prev_hash_mismatch"];
export const checkpointPageResponseAlgorithmValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CheckpointPageResponse"]["algorithm"]> = ["Ed25519"];
export const keyStateAtResponseStatusValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["KeyStateAtResponse"]["status"]> = ["not-created", "active", "revoked", "expired", "deleted"];
export const keyStateAtResponseTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["KeyStateAtResponse"]["type"]> = ["standard", "administration"];
export const centralResponseStatusValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CentralResponse"]["status"]> = ["not_configured", "inactive", "url_changed", "active", "rejected", "unreachable"];
export const centralResponseLastCheckOutcomeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CentralResponse"]["lastCheckOutcome"]> = ["ok", "rejected", "unreachable", "timeout"];
export const telemetryResponseStateValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["TelemetryResponse"]["state"]> = ["off", "on", "paused"];
export const telemetryResponsePausedReasonValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["TelemetryResponse"]["pausedReason"]> = ["CENTRAL_NOT_CONFIGURED", "CENTRAL_NOT_ACTIVE", "CENTRAL_URL_CHANGED"];
export const centralCheckResponseOutcomeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CentralCheckResponse"]["outcome"]> = ["ok", "rejected", "unreachable", "timeout"];
export const heartbeatResponseOutcomeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["HeartbeatResponse"]["outcome"]> = ["sent", "failed"];
export const heartbeatResponseFailureValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["HeartbeatResponse"]["failure"]> = ["rejected", "unreachable", "timeout", "error"];
export const usageSeriesResponseGranularityValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["UsageSeriesResponse"]["granularity"]> = ["minute", "hour", "day"];
export const companyUsageResponseGranularityValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CompanyUsageResponse"]["granularity"]> = ["minute", "hour", "day"];
export const createWebhookDtoEventsValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CreateWebhookDto"]["events"]> = ["*", "AuditExported", "AuthenticationFailed", "CentralActivated", "CentralChecked", "CentralDeactivated", "CompanyCreated", "HeartbeatFailed", "HeartbeatSent", "KeyCreated", "KeyDeleted", "KeyExpired", "KeyExpiringSoon", "KeyRevoked", "KeyRotated", "KeyUpdated", "KeyUsed", "PermissionDefined", "PermissionRemoved", "RoleDefined", "RoleDeleted", "RoleUpdated", "SharedSecretRevealed", "SharedSecretRotated", "TelemetryDisabled", "TelemetryEnabled", "UserCreated", "UserUpdated", "WebhookCreated", "WebhookDeleted"];
export const webhookResponseStateValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["WebhookResponse"]["state"]> = ["active", "failing"];

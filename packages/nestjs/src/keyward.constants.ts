/** Injection token of the module's options. */
export const KEYWARD_OPTIONS = Symbol('KEYWARD_OPTIONS');
/** Metadata key of `@RequirePermissions()`. */
export const KEYWARD_PERMISSIONS = 'keyward:permissions';
/** Metadata key of `@KeywardPublic()`. */
export const KEYWARD_PUBLIC = 'keyward:public';
/** Where the guard leaves the authenticated key on the request. */
export const KEYWARD_KEY_PROPERTY = 'keywardKey';
/** Where the guard leaves its runtime on the request for the (stateless, shared) passport strategy. */
export const KEYWARD_RUNTIME = Symbol.for('keyward.runtime');

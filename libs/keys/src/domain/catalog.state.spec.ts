import { storedStream } from '@keyward/testing';
import { KeywardEvent } from '../events/keyward-events';
import { foldCatalog } from './catalog.state';

const stream = (...events: [string, object][]) => storedStream('catalog-c1', events);
const define = (name: string): [string, object] => [KeywardEvent.PermissionDefined, { name, description: null }];

describe("a company's catalog folded from its stream", () => {
  it('is empty at version 0 before any definition', () => {
    expect(foldCatalog([])).toEqual({ permissions: new Map(), roles: new Map(), version: 0 });
  });

  it('PermissionDefined and RoleDefined add; RoleUpdated changes only what it names; RoleDeleted removes', () => {
    const catalog = foldCatalog(
      stream(
        define('invoices:read'),
        define('invoices:write'),
        [KeywardEvent.RoleDefined, { name: 'billing', description: 'b', permissions: ['invoices:read'] }],
        [KeywardEvent.RoleDefined, { name: 'support', description: null, permissions: [] }],
        [KeywardEvent.RoleUpdated, { name: 'billing', changes: { permissions: ['invoices:read', 'invoices:write'] } }],
        [KeywardEvent.RoleDeleted, { name: 'support', keyIds: [] }],
      ),
    );
    expect([...catalog.permissions.keys()]).toEqual(['invoices:read', 'invoices:write']);
    expect([...catalog.roles.values()]).toEqual([{ name: 'billing', description: 'b', permissions: ['invoices:read', 'invoices:write'] }]);
    expect(catalog.version).toBe(6);
  });

  it('PermissionRemoved takes the permission from every role holding it', () => {
    const catalog = foldCatalog(
      stream(
        define('invoices:read'),
        define('invoices:write'),
        [KeywardEvent.RoleDefined, { name: 'billing', description: null, permissions: ['invoices:read', 'invoices:write'] }],
        [KeywardEvent.PermissionRemoved, { name: 'invoices:read', forced: true, roles: ['billing'], keyIds: [] }],
      ),
    );
    expect(catalog.permissions.has('invoices:read')).toBe(false);
    expect(catalog.roles.get('billing')!.permissions).toEqual(['invoices:write']);
  });

  it('an update of a role that is gone changes nothing but the version', () => {
    const catalog = foldCatalog(stream([KeywardEvent.RoleUpdated, { name: 'ghost', changes: { description: 'x' } }]));
    expect(catalog.roles.size).toBe(0);
    expect(catalog.version).toBe(1);
  });
});

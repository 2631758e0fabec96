import { Problem } from '@keyward/common';
import { EventStore } from '@keyward/event-store';
import { streamOf } from '../events/keyward-events';
import { CatalogState, foldCatalog } from './catalog.state';
import { KeyState, foldKey } from './key.state';
import { UserState, foldUser } from './user.state';

/** A key of the company, rebuilt from its stream; 404 if absent, of another company or deleted. */
export async function loadKey(store: EventStore, keyId: string, companyId: string): Promise<KeyState> {
  const key = foldKey(await store.readStream(streamOf.key(keyId)));
  if (!key || key.companyId !== companyId || key.deleted) throw Problem.notFound(`key ${keyId}`);
  return key;
}

export async function loadUser(store: EventStore, userId: string, companyId: string): Promise<UserState> {
  const user = foldUser(await store.readStream(streamOf.user(userId)));
  if (!user || user.companyId !== companyId) throw Problem.notFound(`user ${userId}`);
  return user;
}

/** The company's own permissions and roles (empty before its first definition). */
export async function loadCatalog(store: EventStore, companyId: string): Promise<CatalogState> {
  return foldCatalog(await store.readStream(streamOf.catalog(companyId)));
}

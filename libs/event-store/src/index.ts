export * from './event.types';
export * from './errors';
export * from './checkpoint';
export * from './hash-chain';
export * from './event-store';
export * from './event-store.module';

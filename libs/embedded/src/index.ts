export * from './ports';
export * from './running-server';
export * from './child-process';
export * from './guarded-process';
export * from './embedded-postgres';
export * from './redis-server';
export * from './installation-file';

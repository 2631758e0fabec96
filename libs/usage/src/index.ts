export * from './usage-buffer';
export * from './usage.module';

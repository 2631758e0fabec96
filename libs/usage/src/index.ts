export * from './usage-buffer';
export * from './usage.module';
export * from './series';

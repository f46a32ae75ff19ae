export * from './profile.ts';
export * from './results.ts';
export * from './ledger.ts';
export * from './errors.ts';
export * from './version.ts';
export * from './envelope.ts';
export * from './methods.ts';
export * from './registry.ts';

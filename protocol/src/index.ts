export * from './profile.ts';
export * from './results.ts';
export * from './ledger.ts';
export * from './errors.ts';

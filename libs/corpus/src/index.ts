export * from './corpus-picks';
export * from './corpus-entries';
export * from './corpus-store';
export * from './traffic-lookup';
export * from './corpus-writer';
export * from './corpus-replay';
export * from './example-book';

export * from './body-encoding';
export * from './replay-client';

export * from './penumbra-error';
export * from './retry';

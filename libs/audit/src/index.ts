export * from './chain';
export * from './checkpoint';
export * from './describe';
export * from './history';
export * from './keys';
export * from './redact';
export * from './timeline';
export * from './verify';

export * from './env';
export * from './infrastructure';
export * from './services';
export * from './workspace';
export * from './stack-answer';
export * from './kafka-acls';

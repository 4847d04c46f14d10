export * from './adaptive';
export * from './adaptive-target';
export * from './bounded-ids';
export * from './command-follower';
export * from './experiment';
export * from './pair-publisher';
export * from './snapshot';
export * from './webhook-actuator';

export * from './credential-policy';

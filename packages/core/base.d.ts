export * from './dist/base';

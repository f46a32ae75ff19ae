// The package's class modules, which library.ts loads on their own; their types are the package's own.
declare module '@contentauth/c2pa-node/dist/Builder.js' {
  export { Builder } from '@contentauth/c2pa-node';
}
declare module '@contentauth/c2pa-node/dist/Reader.js' {
  export { Reader } from '@contentauth/c2pa-node';
}

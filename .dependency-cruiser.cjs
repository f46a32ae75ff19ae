// The project's import rules, checked by test/deps/dependencies.test.ts (`npx depcruise -c .dependency-cruiser.cjs server protocol`).
// Type-only imports count: a cycle through types is still two modules that cannot be read apart.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'Modules import each other, directly or through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-above-daemon-and-cli',
      comment: 'The engine (pipeline, pack, archive, evidence, ledger, c2pa, util, watch) is used by the daemon and the CLI, never the other way.',
      severity: 'error',
      from: { path: '^server/(pipeline|pack|archive|evidence|ledger|c2pa|util|watch)/' },
      to: { path: '^server/(daemon|cli|dashboard)/' },
    },
    {
      name: 'protocol-without-server',
      comment: 'The protocol is the contract both sides read; it knows nothing of the server.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: '^server/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};

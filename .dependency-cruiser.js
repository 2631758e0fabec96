/** Boundaries of the monorepo (STYLE.md): checked by `npm run lint:deps`, part of `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-never-import-each-other',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'only-through-a-lib-index',
      comment: 'Code outside a lib imports it only as @keyward/<lib> (its src/index.ts).',
      severity: 'error',
      from: { path: '^(apps|libs)/([^/]+)/', pathNot: '^libs/testing/' },
      to: { path: '^libs/([^/]+)/src/.+', pathNot: ['^libs/$2/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'console-speaks-only-http',
      comment: 'The web console reaches Keyward only through the public HTTP API (CONTRACT.md): it imports no lib and no other app.',
      severity: 'error',
      from: { path: '^apps/console/' },
      to: { pathNot: ['^apps/console/', 'node_modules'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'nestjs-package-stands-alone',
      comment: '@keyward/nestjs is published on its own: it imports only its own files, Node and its declared peer dependencies, never a lib or app of this repository.',
      severity: 'error',
      from: { path: '^packages/nestjs/' },
      to: {
        pathNot: ['^packages/nestjs/', 'node_modules/(@nestjs/(common|core|passport)|passport|passport-headerapikey|rxjs|reflect-metadata|@types/[^/]+)/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'example-uses-only-the-package',
      comment: 'The example service is built as a customer would build it: @keyward/nestjs and Nest, no lib of this repository.',
      severity: 'error',
      from: { path: '^apps/example-invoices/' },
      to: { path: '^(libs|apps)/', pathNot: '^apps/example-invoices/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'production-code-not-from-testing',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: ['\\.spec\\.ts$', '^libs/testing/'] },
      to: { path: '^libs/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

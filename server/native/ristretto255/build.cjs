// Builds the addon at `npm install`. Never fails the install: without libsodium's headers, a compiler
// or Node's headers, it says why (shown by npm with --foreground-scripts; the service's start-up log
// says it too) and the service falls back to libsodium's WASM build.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

const args = ['rebuild'];
// Node's headers next to this node (Debian's nodejs, nodesource): use them rather than downloading.
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include/node/node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
// npm hands lifecycle scripts its bundled node-gyp; outside npm, one on the PATH.
const nodeGyp = process.env.npm_config_node_gyp;
const build = nodeGyp
  ? spawnSync(process.execPath, [nodeGyp, ...args], { cwd: __dirname, stdio: 'inherit' })
  : spawnSync('node-gyp', args, { cwd: __dirname, stdio: 'inherit' });

if (build.status !== 0) {
  console.warn(
    '\n@sealed-vitals/ristretto255-native was not built (needs libsodium-dev, a C compiler and node-gyp).\n' +
      "The service will use libsodium's WASM build instead: same results, about half the throughput.\n" +
      'To build it later: apt-get install libsodium-dev && npm rebuild @sealed-vitals/ristretto255-native\n',
  );
}

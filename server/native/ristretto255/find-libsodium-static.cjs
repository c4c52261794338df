// Prints the path of libsodium's static library (libsodium-dev installs it), or nothing: binding.gyp
// links the group arithmetic of the addon's multi-scalar multiplication from it (ristretto255.c).
const { existsSync } = require('node:fs');

const candidates = [
  process.env.LIBSODIUM_STATIC,
  '/usr/lib/x86_64-linux-gnu/libsodium.a',
  '/usr/lib/aarch64-linux-gnu/libsodium.a',
  '/usr/lib64/libsodium.a',
  '/usr/lib/libsodium.a',
  '/usr/local/lib/libsodium.a',
  '/opt/homebrew/lib/libsodium.a',
];
process.stdout.write(candidates.find((path) => path && existsSync(path)) ?? '');

// The compiled addon, or undefined where it is not built (no libsodium-dev or compiler at install time)
// or cannot load (libsodium's shared library gone): the service then uses libsodium's WASM build.
try {
  module.exports = require('./build/Release/ristretto255.node');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' && error.code !== 'ERR_DLOPEN_FAILED') throw error;
  module.exports = undefined;
}

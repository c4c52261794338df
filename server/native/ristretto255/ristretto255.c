/*
 * libsodium's ristretto255 (RFC 9496) for Node, through Node-API: the five functions the service's group
 * needs (shared/groups/ristretto255-native.ts), nothing of our own. Each takes and returns 32-byte
 * Uint8Arrays and behaves like libsodium-wrappers' function of the same name: a wrong argument is a
 * TypeError, libsodium's -1 an Error with the wrapper's message, so both backends share one TS layer.
 */
#include <node_api.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define BYTES 32

/* Throws (and returns NULL) unless the status is ok: a failed call must never go on with garbage. */
#define CHECK(env, call)                                          \
  do {                                                            \
    if ((call) != napi_ok) {                                      \
      napi_throw_error((env), NULL, "Node-API call failed");      \
      return NULL;                                                \
    }                                                             \
  } while (0)

/*
 * Points *data at the bytes of argument `value` after checking it is a Uint8Array of exactly 32 bytes,
 * so libsodium never reads past the caller's buffer. Returns 0 with a TypeError pending otherwise.
 */
static int bytes_argument(napi_env env, napi_value value, const char *name, const unsigned char **data) {
  bool is_typedarray = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *bytes = NULL;
  char message[64];
  if (napi_is_typedarray(env, value, &is_typedarray) == napi_ok && is_typedarray &&
      napi_get_typedarray_info(env, value, &type, &length, &bytes, NULL, NULL) == napi_ok &&
      type == napi_uint8_array && length == BYTES && bytes != NULL) {
    *data = bytes;
    return 1;
  }
  snprintf(message, sizeof message, "%s must be a Uint8Array of %d bytes", name, BYTES);
  napi_throw_type_error(env, NULL, message);
  return 0;
}

/* Reads exactly `count` arguments, each a 32-byte Uint8Array; 0 with an exception pending otherwise. */
static int bytes_arguments(napi_env env, napi_callback_info info, size_t count, const char *const names[],
                           const unsigned char *data[]) {
  napi_value argv[2];
  size_t argc = 2;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "Node-API call failed");
    return 0;
  }
  if (argc != count) {
    napi_throw_type_error(env, NULL, count == 1 ? "expected 1 argument" : "expected 2 arguments");
    return 0;
  }
  for (size_t i = 0; i < count; i++) {
    if (!bytes_argument(env, argv[i], names[i], &data[i])) return 0;
  }
  return 1;
}

/*
 * RFC 9496 §4.3.1: an encoding is an integer below p = 2^255 − 19, so one with bit 255 set is rejected.
 * libsodium 1.0.18 (Debian 12's) ignores that bit and so gives every element a second encoding; later
 * releases, its WASM build among them, reject it. Checked here so both backends take the same bytes.
 */
static int top_bit_clear(const unsigned char *element) { return (element[BYTES - 1] & 0x80) == 0; }

/* A new Uint8Array holding the 32 result bytes, or libsodium's failure as an Error. */
static napi_value result(napi_env env, int status, const unsigned char out[BYTES], const char *failure) {
  napi_value buffer, array;
  void *bytes = NULL;
  if (status != 0) {
    napi_throw_error(env, NULL, failure);
    return NULL;
  }
  CHECK(env, napi_create_arraybuffer(env, BYTES, &bytes, &buffer));
  memcpy(bytes, out, BYTES);
  CHECK(env, napi_create_typedarray(env, napi_uint8_array, BYTES, buffer, 0, &array));
  return array;
}

static napi_value scalarmult(napi_env env, napi_callback_info info) {
  static const char *const names[] = {"scalar", "element"};
  const unsigned char *in[2];
  unsigned char out[BYTES];
  if (!bytes_arguments(env, info, 2, names, in)) return NULL;
  int status = top_bit_clear(in[1]) ? crypto_scalarmult_ristretto255(out, in[0], in[1]) : -1;
  return result(env, status, out, "result is identity element");
}

static napi_value scalarmult_base(napi_env env, napi_callback_info info) {
  static const char *const names[] = {"scalar"};
  const unsigned char *in[1];
  unsigned char out[BYTES];
  if (!bytes_arguments(env, info, 1, names, in)) return NULL;
  int status = crypto_scalarmult_ristretto255_base(out, in[0]);
  return result(env, status, out, "scalar is 0");
}

/* add and sub: two elements in, one out; encodings with bit 255 set are refused here (see top_bit_clear). */
static napi_value point_operation(napi_env env, napi_callback_info info,
                                  int (*operation)(unsigned char *, const unsigned char *,
                                                   const unsigned char *)) {
  static const char *const names[] = {"p", "q"};
  const unsigned char *in[2];
  unsigned char out[BYTES];
  if (!bytes_arguments(env, info, 2, names, in)) return NULL;
  int status = top_bit_clear(in[0]) && top_bit_clear(in[1]) ? operation(out, in[0], in[1]) : -1;
  return result(env, status, out, "input is an invalid element");
}

static napi_value add(napi_env env, napi_callback_info info) {
  return point_operation(env, info, crypto_core_ristretto255_add);
}

static napi_value sub(napi_env env, napi_callback_info info) {
  return point_operation(env, info, crypto_core_ristretto255_sub);
}

static napi_value is_valid_point(napi_env env, napi_callback_info info) {
  static const char *const names[] = {"repr"};
  const unsigned char *in[1];
  napi_value valid;
  if (!bytes_arguments(env, info, 1, names, in)) return NULL;
  int is_valid = top_bit_clear(in[0]) && crypto_core_ristretto255_is_valid_point(in[0]) == 1;
  CHECK(env, napi_get_boolean(env, is_valid, &valid));
  return valid;
}

static napi_value init(napi_env env, napi_value exports) {
  /* sodium_init picks the fastest implementations and seeds the RNG; 1 means it already ran. */
  if (sodium_init() < 0) {
    napi_throw_error(env, NULL, "libsodium could not be initialized");
    return NULL;
  }
  napi_property_descriptor functions[] = {
      {"crypto_scalarmult_ristretto255", NULL, scalarmult, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crypto_scalarmult_ristretto255_base", NULL, scalarmult_base, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crypto_core_ristretto255_add", NULL, add, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crypto_core_ristretto255_sub", NULL, sub, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crypto_core_ristretto255_is_valid_point", NULL, is_valid_point, NULL, NULL, NULL, napi_enumerable,
       NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }

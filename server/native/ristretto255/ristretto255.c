/*
 * libsodium's ristretto255 (RFC 9496) for Node, through Node-API: the five functions the service's group
 * needs (shared/groups/ristretto255-native.ts), nothing of our own. Each takes and returns 32-byte
 * Uint8Arrays and behaves like libsodium-wrappers' function of the same name: a wrong argument is a
 * TypeError, libsodium's -1 an Error with the wrapper's message, so both backends share one TS layer.
 */
#include <node_api.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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


#ifdef SEALED_VITALS_LIBSODIUM_INTERNALS
/*
 * Σ kᵢ·Pᵢ in constant time on decoded points: the prover's commitments (shared/proofs/linear-relation.ts),
 * whose scalars are secret nonces. libsodium's public API multiplies one point at a time and decodes and
 * re-encodes every operand of every call; this entry point decodes each point once, shares the doublings
 * between all terms (Straus: 4-bit windows, from the top) and encodes the sum once.
 *
 * Constant time in the scalars: the same sequence of additions for every scalar (digit 0 adds the
 * identity), and each table entry read by scanning all 16 with masks, never by an index. The points are
 * public. Built only where libsodium's static library is installed (libsodium-dev): the group arithmetic
 * is libsodium's own (ed25519_ref10.o, linked from libsodium.a), whose functions are internal to the
 * shared library. Their types are declared here by size (four field elements of 40 bytes, whichever
 * representation the build chose), and `init` checks the result against the public API before
 * exporting the function, so a libsodium whose internals differ leaves the service on the public API.
 */
typedef struct { uint64_t limbs[5]; } fe25519_words;
typedef struct { fe25519_words X, Y, Z, T; } ge25519_p3;
typedef struct { fe25519_words X, Y, Z, T; } ge25519_p1p1;
typedef struct { fe25519_words YplusX, YminusX, Z, T2d; } ge25519_cached;

int ristretto255_frombytes(ge25519_p3 *h, const unsigned char *s);
void ristretto255_p3_tobytes(unsigned char *s, const ge25519_p3 *h);
void ge25519_p3_to_cached(ge25519_cached *r, const ge25519_p3 *p);
void ge25519_add(ge25519_p1p1 *r, const ge25519_p3 *p, const ge25519_cached *q);
void ge25519_p1p1_to_p3(ge25519_p3 *r, const ge25519_p1p1 *p);

#define WINDOW_BITS 4
#define TABLE_SIZE (1 << WINDOW_BITS)
#define WINDOWS (8 * BYTES / WINDOW_BITS)
#define CACHED_WORDS (sizeof(ge25519_cached) / sizeof(uint64_t))
/* The most terms one call takes: a bound on the tables' memory (2.5 KiB per term). */
#define MAX_TERMS 4096

/* p + q, in place. The formula is complete: q may be p itself (a doubling) or the identity. */
static void add_cached(ge25519_p3 *p, const ge25519_cached *q) {
  ge25519_p1p1 sum;
  ge25519_add(&sum, p, q);
  ge25519_p1p1_to_p3(p, &sum);
}

/* out = table[digit], reading every entry: which one is taken does not show in the memory accesses. */
static void select_cached(ge25519_cached *out, const ge25519_cached table[TABLE_SIZE], unsigned digit) {
  uint64_t *dst = (uint64_t *)out;
  memset(out, 0, sizeof *out);
  for (unsigned i = 0; i < TABLE_SIZE; i++) {
    /* All ones when i == digit: (i ^ digit) − 1 borrows into the top bit only when i ^ digit is 0. */
    uint64_t mask = (uint64_t)0 - ((((uint64_t)(i ^ digit)) - 1) >> 63);
    const uint64_t *src = (const uint64_t *)&table[i];
    for (size_t w = 0; w < CACHED_WORDS; w++) dst[w] |= src[w] & mask;
  }
}

static unsigned digit_at(const unsigned char *scalar, int window) {
  return (scalar[window / 2] >> (4 * (window % 2))) & 0x0f;
}

/*
 * out = Σ scalars[i]·points[i] (32-byte little-endian scalars, any value; canonical encodings).
 * Returns -1 for an invalid encoding (libsodium's decoder, and bit 255 as in top_bit_clear) or no memory.
 */
static int multiscalar(unsigned char out[BYTES], const unsigned char *scalars, const unsigned char *points,
                       size_t count) {
  static const unsigned char identity_bytes[BYTES] = {0};
  ge25519_cached *tables = malloc(count * TABLE_SIZE * sizeof *tables);
  ge25519_p3 sum, point;
  ge25519_cached entry;
  int status = 0;
  if (tables == NULL) return -1;
  if (ristretto255_frombytes(&sum, identity_bytes) != 0) status = -1;
  for (size_t t = 0; t < count && status == 0; t++) {
    const unsigned char *encoding = points + t * BYTES;
    ge25519_cached *table = tables + t * TABLE_SIZE;
    if (!top_bit_clear(encoding) || ristretto255_frombytes(&point, encoding) != 0) {
      status = -1;
      break;
    }
    /* table[d] = d·P: table[0] the identity (sum, still), then one addition of P each. */
    ge25519_p3 multiple = point;
    ge25519_p3_to_cached(&table[0], &sum);
    ge25519_p3_to_cached(&table[1], &point);
    for (unsigned d = 2; d < TABLE_SIZE; d++) {
      add_cached(&multiple, &table[1]);
      ge25519_p3_to_cached(&table[d], &multiple);
    }
  }
  for (int window = WINDOWS - 1; window >= 0 && status == 0; window--) {
    for (int i = 0; i < WINDOW_BITS; i++) {
      ge25519_p3_to_cached(&entry, &sum);
      add_cached(&sum, &entry);
    }
    for (size_t t = 0; t < count; t++) {
      select_cached(&entry, tables + t * TABLE_SIZE, digit_at(scalars + t * BYTES, window));
      add_cached(&sum, &entry);
    }
  }
  if (status == 0) ristretto255_p3_tobytes(out, &sum);
  /* The tables hold multiples of public points; the partial sums and the last entry read are secret. */
  sodium_memzero(&sum, sizeof sum);
  sodium_memzero(&entry, sizeof entry);
  free(tables);
  return status;
}

/*
 * multiscalarmult_ristretto255(scalars, points): both Uint8Arrays of 32·n bytes (n ≥ 1), the i-th
 * scalar and point at 32·i. Returns the encoding of Σ kᵢ·Pᵢ (the identity encodes as 32 zero bytes);
 * a wrong argument is a TypeError, an invalid point an Error.
 */
static int flat_argument(napi_env env, napi_value value, const char *name, const unsigned char **data,
                         size_t *length) {
  bool is_typedarray = false;
  napi_typedarray_type type;
  void *bytes = NULL;
  char message[96];
  if (napi_is_typedarray(env, value, &is_typedarray) == napi_ok && is_typedarray &&
      napi_get_typedarray_info(env, value, &type, length, &bytes, NULL, NULL) == napi_ok &&
      type == napi_uint8_array && *length > 0 && *length % BYTES == 0 && *length / BYTES <= MAX_TERMS &&
      bytes != NULL) {
    *data = bytes;
    return 1;
  }
  snprintf(message, sizeof message, "%s must be a Uint8Array of 32·n bytes, 1 ≤ n ≤ %d", name, MAX_TERMS);
  napi_throw_type_error(env, NULL, message);
  return 0;
}

static napi_value multiscalarmult(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2, scalars_length = 0, points_length = 0;
  const unsigned char *scalars = NULL, *points = NULL;
  unsigned char out[BYTES];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 2) {
    napi_throw_type_error(env, NULL, "expected 2 arguments");
    return NULL;
  }
  if (!flat_argument(env, argv[0], "scalars", &scalars, &scalars_length) ||
      !flat_argument(env, argv[1], "points", &points, &points_length))
    return NULL;
  if (scalars_length != points_length) {
    napi_throw_type_error(env, NULL, "one scalar per point");
    return NULL;
  }
  int status = multiscalar(out, scalars, points, points_length / BYTES);
  return result(env, status, out, "input is an invalid element");
}

/*
 * The check `init` makes before exporting multiscalarmult: random scalars and points (one of them
 * twice, the identity once, a zero scalar once) against the public API's products and sums.
 */
static int multiscalar_agrees(void) {
  enum { TERMS = 5 };
  unsigned char scalars[TERMS * BYTES], points[TERMS * BYTES], product[BYTES], expected[BYTES] = {0},
                actual[BYTES];
  for (int t = 0; t < TERMS; t++) {
    crypto_core_ristretto255_scalar_random(scalars + t * BYTES);
    crypto_core_ristretto255_random(points + t * BYTES);
  }
  memcpy(points + 1 * BYTES, points, BYTES);
  memset(points + 2 * BYTES, 0, BYTES);
  memset(scalars + 3 * BYTES, 0, BYTES);
  for (int t = 0; t < TERMS; t++) {
    /* libsodium refuses a product that is the identity (a zero scalar, the identity point): skipped. */
    if (crypto_scalarmult_ristretto255(product, scalars + t * BYTES, points + t * BYTES) != 0) continue;
    if (crypto_core_ristretto255_add(expected, expected, product) != 0) return 0;
  }
  return multiscalar(actual, scalars, points, TERMS) == 0 && sodium_memcmp(actual, expected, BYTES) == 0;
}
#endif

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
#ifdef SEALED_VITALS_LIBSODIUM_INTERNALS
  if (multiscalar_agrees()) {
    napi_property_descriptor ours[] = {
        {"multiscalarmult_ristretto255", NULL, multiscalarmult, NULL, NULL, NULL, napi_enumerable, NULL},
    };
    CHECK(env, napi_define_properties(env, exports, 1, ours));
  }
#endif
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }

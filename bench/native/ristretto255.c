/*
 * The machine's limit for the ristretto255 hot paths: libsodium (C, native) timing the operations the
 * service and the client do, for docs/PERFORMANCE.md. Built and run by bench/native.ts; prints JSON.
 * The prototypes are libsodium's public API (sodium/crypto_core_ristretto255.h,
 * crypto_scalarmult_ristretto255.h), declared here so only the shared library is needed, not its headers.
 */
#include <stdio.h>
#include <time.h>

int sodium_init(void);
void crypto_core_ristretto255_scalar_random(unsigned char *r);
int crypto_core_ristretto255_is_valid_point(const unsigned char *p);
int crypto_core_ristretto255_add(unsigned char *r, const unsigned char *p, const unsigned char *q);
int crypto_scalarmult_ristretto255(unsigned char *q, const unsigned char *n, const unsigned char *p);
int crypto_scalarmult_ristretto255_base(unsigned char *q, const unsigned char *n);

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Runs the body until 200 ms have passed and prints the mean cost per call in µs. */
#define TIME(name, body)                                                   \
  do {                                                                     \
    long runs = 0;                                                         \
    double start = now_us();                                               \
    while (now_us() - start < 200000) {                                    \
      for (int i = 0; i < 100; i++) { body; }                              \
      runs += 100;                                                         \
    }                                                                      \
    printf("%s\"%s\": %.3f", first ? "" : ", ", name, (now_us() - start) / runs); \
    first = 0;                                                             \
  } while (0)

int main(void) {
  if (sodium_init() < 0) return 1;
  unsigned char scalar[32], point[32], other[32], out[32];
  volatile int sink = 0;
  int first = 1;
  crypto_core_ristretto255_scalar_random(scalar);
  crypto_scalarmult_ristretto255_base(point, scalar);
  crypto_core_ristretto255_scalar_random(scalar);
  crypto_scalarmult_ristretto255_base(other, scalar);
  printf("{");
  TIME("scalarmultBase", crypto_scalarmult_ristretto255_base(out, scalar));
  TIME("scalarmult", crypto_scalarmult_ristretto255(out, scalar, point));
  TIME("isValidPoint", sink += crypto_core_ristretto255_is_valid_point(point));
  TIME("add", crypto_core_ristretto255_add(out, point, other));
  printf("}\n");
  return sink == -1;
}

{
  "targets": [
    {
      "target_name": "ristretto255",
      "sources": ["ristretto255.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"],
      "libraries": ["-lsodium"]
    }
  ]
}

{
  "variables": {
    "libsodium_static": "<!(node find-libsodium-static.cjs)"
  },
  "targets": [
    {
      "target_name": "ristretto255",
      "sources": ["ristretto255.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"],
      "libraries": ["-lsodium"],
      "conditions": [
        [
          "libsodium_static != ''",
          {
            "defines": ["SEALED_VITALS_LIBSODIUM_INTERNALS"],
            "libraries": ["<(libsodium_static)", "-Wl,--exclude-libs,ALL"]
          }
        ]
      ]
    }
  ]
}

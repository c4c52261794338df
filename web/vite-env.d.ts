/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the health service when it is not the page's own (e.g. `https://api.example`). */
  readonly VITE_API_BASE_URL?: string;
}

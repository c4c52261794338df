/** This build's SMART on FHIR configuration (Vite env at build time), or undefined when it has none. */

import { parseSmartConfig, type SmartConfig } from './config.js';

export const SMART_CONFIG: SmartConfig | undefined = parseSmartConfig({
  VITE_SMART_CLIENT_ID: import.meta.env.VITE_SMART_CLIENT_ID,
  VITE_SMART_ISSUERS: import.meta.env.VITE_SMART_ISSUERS,
  VITE_SMART_AUTH_ORIGINS: import.meta.env.VITE_SMART_AUTH_ORIGINS,
  VITE_SMART_WRITE: import.meta.env.VITE_SMART_WRITE,
});

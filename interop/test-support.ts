/** Starting the real service for the interop tests: built with buildApp, reached over loopback HTTP. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.js';

export async function startService(
  rateLimit: false | { max: number; timeWindowMs: number },
): Promise<{ service: FastifyInstance; origin: string }> {
  // This client decrypts in the service's own process, blocking its event loop; overload protection
  // would take that for overload on a busy machine.
  const service = await buildApp({ logger: false, rateLimit, overload: false });
  await service.listen({ port: 0, host: '127.0.0.1' });
  const { port } = service.server.address() as AddressInfo;
  return { service, origin: `http://127.0.0.1:${port}` };
}

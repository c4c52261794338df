/**
 * The rate limit's counts in Redis or Valkey, shared by every worker of every instance: one fixed
 * window per client address, counted and expired by one Lua script (atomic on the server).
 *
 * When the store cannot answer (down, unreachable, slower than COMMAND_TIMEOUT_MS), the request is let
 * through: the limit fails open. It is a fairness control against one client taking more than its
 * share, not a security boundary: admission control still bounds every instance's load, so a store
 * outage costs the limit but never the service, where failing closed would turn it into a full outage.
 * Every such request is counted (`sealed_vitals_rate_limit_store_errors_total`) and the outage logged.
 */

import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';

/** A rate-limit count slower than this is given up (and the request let through). */
const COMMAND_TIMEOUT_MS = 250;
const CONNECT_TIMEOUT_MS = 1_000;
/** Reconnect attempts back off up to this. */
const MAX_RECONNECT_DELAY_MS = 2_000;
const KEY_PREFIX = 'sealed-vitals:rate-limit:';

const COUNT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

/** What a bad REDIS_URL is told; it never repeats the URL, which may hold a password. */
export function redisUrlProblem(text: string): string | undefined {
  if (!URL.canParse(text)) return 'is not a URL; use redis://host:6379 or rediss://host:6380 (TLS).';
  const url = new URL(text);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return 'must start with redis:// or rediss:// (TLS).';
  }
  if (url.hostname === '') return 'has no host name.';
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,2}$/.test(url.pathname)) {
    return 'may end only in a database number, e.g. redis://host:6379/0.';
  }
  return undefined;
}

export interface StoreEvents {
  readonly onUp: () => void;
  readonly onDown: () => void;
  /** One count failed (the request was let through). */
  readonly onError: () => void;
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

interface CountingRedis extends Redis {
  sealedVitalsCount(
    key: string,
    windowMs: number,
    callback: (error: Error | null, result?: unknown) => void,
  ): void;
}

/** The store class `@fastify/rate-limit` instantiates (its `store` option), and the client's close. */
export interface SharedRateLimitStore {
  readonly store: FastifyRateLimitStoreCtor;
  close(): Promise<void>;
}

export function sharedRateLimitStore(
  url: string,
  log: FastifyBaseLogger,
  events: StoreEvents,
): SharedRateLimitStore {
  const redis = new Redis(url, {
    // No queue while disconnected: a count fails at once instead of holding the request.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
  }) as CountingRedis;
  redis.defineCommand('sealedVitalsCount', { numberOfKeys: 1, lua: COUNT_SCRIPT });

  let up: boolean | undefined;
  const setUp = (now: boolean, error?: Error) => {
    if (up === now) return;
    up = now;
    if (now) {
      log.info('Rate-limit store connected: the limit is shared');
      events.onUp();
    } else {
      // The error's message names a host and port at most (ioredis never puts the password in it).
      log.warn(
        { err: error?.message },
        'Rate-limit store unreachable: requests are let through uncounted until it is back',
      );
      events.onDown();
    }
  };
  redis.on('ready', () => setUp(true));
  redis.on('error', (error: Error) => setUp(false, error));
  redis.on('close', () => setUp(false));

  class Store {
    incr(key: string, callback: Callback, timeWindow: number): void {
      redis.sealedVitalsCount(`${KEY_PREFIX}${key}`, timeWindow, (error, result) => {
        if (error || !Array.isArray(result)) {
          events.onError();
          callback(error ?? new Error('The rate-limit store answered something unexpected.'));
          return;
        }
        callback(null, { current: Number(result[0]), ttl: Number(result[1]) });
      });
    }

    /** Per-route limits are not used: every API route counts toward the one limit. */
    child(): Store {
      return this;
    }
  }

  return {
    store: Store,
    close: async () => {
      redis.disconnect();
    },
  };
}

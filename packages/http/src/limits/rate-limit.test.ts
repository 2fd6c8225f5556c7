import { expect, test } from 'vitest';
import { apiFixture } from '../api/test-fixture.js';
import { RateLimiter } from './rate-limit.js';

test('a token bucket allows the burst, then one request per refill; keys are counted apart', () => {
  let now = 0;
  const limiter = new RateLimiter({ burst: 3, perSecond: 0.5, now: () => now });
  expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
  expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
  expect(limiter.take('b').allowed).toBe(true);
  now = 1000;
  expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  now = 2000;
  expect(limiter.take('a').allowed).toBe(true);
  expect(limiter.take('a').allowed).toBe(false);
  // A long quiet spell refills to the burst, not beyond.
  now = 1_000_000;
  expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).toEqual([true, true, true, false]);
  expect(() => new RateLimiter({ burst: 0, perSecond: 1 })).toThrow(RangeError);
});

test('over HTTP a key past its bucket gets 429 with Retry-After; another key is not held back', async () => {
  let now = 0;
  const fx = await apiFixture({ rateLimit: { burst: 2, perSecond: 1, now: () => now } });
  expect((await fx.call('/session')).status).toBe(200);
  expect((await fx.call('/accounts')).status).toBe(200);
  const limited = await fx.call('/accounts');
  expect(limited.status).toBe(429);
  expect(limited.headers.get('retry-after')).toBe('1');
  expect(await limited.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 });
  // A refused write is not run either.
  const before = await fx.system.accounts.count();
  const write = await fx.call('/accounts', { method: 'POST', body: { name: 'Refused' } });
  expect(write.status).toBe(429);
  expect(await fx.system.accounts.count()).toBe(before);
  expect((await fx.call('/session', { key: fx.repKey })).status).toBe(200);
  now = 1000;
  expect((await fx.call('/accounts')).status).toBe(200);
});

import { expect, test } from 'vitest';
import { memoryIdempotencyStore } from './idempotency-store.js';

const response = (body: string) => ({ fingerprint: 'f', status: 201, headers: [], body });

test('a key is new, then running, then replays; another fingerprint is a mismatch', async () => {
  const store = memoryIdempotencyStore();
  expect(await store.begin('k', 'f')).toEqual({ kind: 'new' });
  expect(await store.begin('k', 'f')).toEqual({ kind: 'running' });
  expect(await store.begin('k', 'g')).toEqual({ kind: 'mismatch' });
  await store.complete('k', response('{"id":1}'));
  expect(await store.begin('k', 'f')).toEqual({ kind: 'replay', response: response('{"id":1}') });
});

test('a released key runs again; keys expire after their time to live', async () => {
  let now = 0;
  const store = memoryIdempotencyStore({ ttlMs: 1000, now: () => now });
  await store.begin('k', 'f');
  await store.release('k');
  expect(await store.begin('k', 'g')).toEqual({ kind: 'new' });
  await store.complete('k', response('x'));
  now = 999;
  expect((await store.begin('k', 'g')).kind).toBe('replay');
  now = 1000;
  expect(await store.begin('k', 'h')).toEqual({ kind: 'new' });
});

test('the oldest keys go when the store is full', async () => {
  const store = memoryIdempotencyStore({ maxEntries: 2 });
  await store.begin('a', 'f');
  await store.complete('a', response('a'));
  await store.begin('b', 'f');
  await store.complete('b', response('b'));
  await store.begin('c', 'f');
  expect(await store.begin('a', 'other')).toEqual({ kind: 'new' });
  expect((await store.begin('c', 'f')).kind).toBe('running');
});

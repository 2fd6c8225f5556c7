import { expect, test } from 'vitest';
import { retryingAfter429 } from './retry-after.js';

/** A transport that answers 429 `refusals` times, then 200 with the body it was sent. */
function refusing(refusals: number, retryAfter: string | null) {
  const bodies: string[] = [];
  const send: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    bodies.push(await request.text());
    if (bodies.length <= refusals) {
      return new Response('{}', {
        status: 429,
        headers: retryAfter === null ? {} : { 'Retry-After': retryAfter },
      });
    }
    return new Response(bodies.at(-1), { status: 200 });
  };
  return { send, bodies };
}

test('a 429 is sent again, body and all, until the API takes it', async () => {
  const { send, bodies } = refusing(2, '1');
  const response = await retryingAfter429(send)('http://api.test/kpis/evaluate', {
    method: 'POST',
    body: '{"ids":["pipeline.openValue"]}',
  });
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('{"ids":["pipeline.openValue"]}');
  expect(bodies).toEqual(Array(3).fill('{"ids":["pipeline.openValue"]}'));
});

test('other answers come back at once, and a key refused past the tries gets its 429', async () => {
  const ok = refusing(0, null);
  expect((await retryingAfter429(ok.send)('http://api.test/users')).status).toBe(200);
  expect(ok.bodies).toHaveLength(1);
  const full = refusing(100, 'nonsense');
  const response = await retryingAfter429(full.send)('http://api.test/kpis/evaluate');
  expect(response.status).toBe(429);
  expect(full.bodies).toHaveLength(6);
}, 15_000);

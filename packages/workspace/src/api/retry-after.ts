/** How often a refused (429) request is sent again before its 429 is the answer. */
const maxRetries = 5;
/** The longest wait between tries, whatever Retry-After says, so a view never hangs long. */
const maxWaitSeconds = 5;

/**
 * A fetch that sends a request the API refused with 429 again after its `Retry-After` (seconds;
 * 1 when absent), up to 5 times. The API bounds KPI evaluations per key (2 at once by default)
 * and counts a request until the server has finished it, even one the page gave up on (a
 * navigation, a newer filter), so a view's first calls can meet a full key through no fault of
 * their own; RFC 9110 §10.2.3 makes Retry-After the client's cue to try again.
 *
 * @example
 * import createClient from 'openapi-fetch';
 * import type { paths } from './api-types.js';
 *
 * const client = createClient<paths>({ baseUrl: '/api', fetch: retryingAfter429(fetch) });
 */
export function retryingAfter429(
  send: typeof fetch = (input, init) => globalThis.fetch(input, init),
): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    for (let attempt = 0; ; attempt++) {
      // A body can be read once: each try sends a copy, so the next one still has it.
      const response = await send(request.clone());
      if (response.status !== 429 || attempt >= maxRetries) return response;
      const seconds = Number(response.headers.get('Retry-After'));
      const wait = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, maxWaitSeconds) : 1;
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  };
}

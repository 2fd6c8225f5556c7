import { expect, test } from 'vitest';
import { apiFixture } from './test-fixture.js';

test('GET /sharing for everyone, PATCH /sharing for admins; the next request of a rep sees the change', async () => {
  const fx = await apiFixture();
  const otto = await fx.system.accounts.create({ name: 'Otto’s', ownerId: fx.users.otherRep.id });
  const read = await fx.call('/sharing', { key: fx.repKey });
  expect(read.status).toBe(200);
  expect(await read.json()).toMatchObject({ defaults: { account: 'private' }, teams: 'off' });
  expect((await fx.call(`/accounts/${otto.id}`, { key: fx.repKey })).status).toBe(404);

  const refused = await fx.call('/sharing', {
    method: 'PATCH',
    key: fx.repKey,
    body: { defaults: { account: 'publicRead' } },
  });
  expect(refused.status).toBe(403);
  const bad = await fx.call('/sharing', {
    method: 'PATCH',
    body: { defaults: { account: 'everyone' } },
  });
  expect(bad.status).toBe(422);
  const problem = (await bad.json()) as { code: string; issues: { path: string[] }[] };
  expect([problem.code, problem.issues[0]?.path]).toEqual(['VALIDATION', ['defaults', 'account']]);

  const changed = await fx.call('/sharing', {
    method: 'PATCH',
    body: { defaults: { account: 'publicRead' }, teams: 'read' },
  });
  expect(changed.status).toBe(200);
  expect(await changed.json()).toMatchObject({
    defaults: { account: 'publicRead', lead: 'private' },
    teams: 'read',
    version: 1,
  });
  expect((await fx.call(`/accounts/${otto.id}`, { key: fx.repKey })).status).toBe(200);
  const update = await fx.call(`/accounts/${otto.id}`, {
    method: 'PATCH',
    key: fx.repKey,
    body: { version: otto.version, name: 'Mine now' },
  });
  expect(update.status).toBe(403);
  expect((await fx.system.accounts.get(otto.id)).name).toBe('Otto’s');
});

import { type SharingPatch, sharingPatchSchema } from '@rapport/core';
import { json, problems, ref } from '../openapi/common.js';
import { jsonSchemaOf } from '../openapi/object-schemas.js';
import { readJsonObject } from './api-env.js';
import type { RouteTable } from './route-table.js';

/**
 * @internal Registers `GET /sharing` (the tenant's sharing settings, for everyone) and
 * `PATCH /sharing` (admins: org-wide defaults per object and team sharing; objects not named
 * keep their default).
 */
export function addSharingRoutes(table: RouteTable): void {
  table.schema('SharingPatch', jsonSchemaOf(sharingPatchSchema, 'input'));
  table.schema('SharingSettings', {
    type: 'object',
    required: ['defaults', 'teams', 'version'],
    properties: {
      defaults: {
        type: 'object',
        description:
          'The org-wide default per object: private, publicRead or publicReadWrite (quotas: private or publicRead).',
        additionalProperties: { enum: ['private', 'publicRead', 'publicReadWrite'] },
      },
      teams: {
        enum: ['off', 'read', 'readWrite'],
        description:
          'Whether members of a team (same teamId) read, or read and change, each other’s records.',
      },
      version: { type: 'integer', description: '0 until the settings are first changed.' },
    },
  });
  table.add(
    'get',
    '/sharing',
    {
      operationId: 'getSharing',
      summary: "The tenant's sharing settings",
      tags: ['sharing'],
      responses: {
        '200': { description: 'The settings.', content: json(ref('SharingSettings')) },
        ...problems(404),
      },
    },
    async (c) => c.json(await c.var.scope.sharing.settings()),
  );
  table.add(
    'patch',
    '/sharing',
    {
      operationId: 'updateSharing',
      summary: 'Change the sharing settings (admins)',
      tags: ['sharing'],
      requestBody: { required: true, content: json(ref('SharingPatch')) },
      responses: {
        '200': { description: 'The new settings.', content: json(ref('SharingSettings')) },
        ...problems(400, 403, 404, 409, 413, 415, 422),
      },
    },
    async (c) => {
      // The engine parses the body with the same schema (VALIDATION with the field's path).
      const body = (await readJsonObject(c)) as SharingPatch;
      return c.json(await c.var.scope.sharing.update(body));
    },
  );
}

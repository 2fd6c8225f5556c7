import { type CrmScope, type ObjectName, standardObjects } from '@rapport/core';
import { z } from 'zod';
import {
  etagHeader,
  idempotencyKeyParameter,
  idParameter,
  ifMatchParameter,
  json,
  problems,
  ref,
} from '../openapi/common.js';
import { jsonSchemaOf } from '../openapi/object-schemas.js';
import {
  type ApiRecord,
  checkPrecondition,
  etagOf,
  readJsonObject,
  requiredVersion,
} from './api-env.js';
import type { RouteTable } from './route-table.js';

const version = z
  .number()
  .int()
  .positive()
  .optional()
  .describe('The version that was read; or send it as If-Match.');
const day = z.iso.date();

/** The converted records, as the convert route answers. */
const convertedLeadSchema = z.object({
  lead: z.unknown(),
  account: z.unknown(),
  contact: z.unknown(),
  opportunity: z.unknown(),
});

/** @internal Registers lead conversion, stage changes and closing won or lost. */
export function addSalesRoutes(
  table: RouteTable,
  customOf: (object: ObjectName) => z.ZodObject,
): void {
  const lineItem = standardObjects.lineItem.fields
    .omit({ opportunityId: true, totalPrice: true, currency: true })
    .extend({ custom: customOf('lineItem').optional() });
  const schemas = {
    ConvertLeadRequest: z.strictObject({
      accountId: z.string().min(1).optional().describe('Merge into this account.'),
      contactId: z.string().min(1).optional().describe('Merge into this contact.'),
      ownerId: z
        .string()
        .min(1)
        .optional()
        .describe("Owner of the new records; the lead's by default."),
      opportunity: z
        .union([z.literal(false), z.record(z.string(), z.unknown())])
        .optional()
        .describe('false for no opportunity, else fields of the new one.'),
    }),
    ChangeStageRequest: z.strictObject({
      version,
      stage: z.string().min(1),
      probability: z.number().min(0).max(100).optional(),
      amount: z.number().int().nonnegative().optional(),
      closeDate: day.optional(),
    }),
    CloseWonRequest: z.strictObject({
      version,
      closeDate: day.optional().describe("Today in the tenant's time zone by default."),
      lineItems: z.array(lineItem).optional(),
    }),
    CloseLostRequest: z.strictObject({
      version,
      lostReason: z.string().min(1).max(255),
      closeDate: day.optional(),
    }),
  };
  for (const [name, schema] of Object.entries(schemas)) {
    table.schema(name, jsonSchemaOf(schema, 'input'));
  }
  const converted = jsonSchemaOf(convertedLeadSchema, 'output');
  table.schema('ConvertedLead', {
    ...converted,
    properties: {
      lead: ref('Lead'),
      account: ref('Account'),
      contact: ref('Contact'),
      opportunity: { anyOf: [ref('Opportunity'), { type: 'null' }] },
    },
  });

  table.add(
    'post',
    '/leads/:id/convert',
    {
      operationId: 'convertLead',
      summary: 'Convert a lead',
      description:
        'Turns the lead into an account, a contact and (unless opportunity is false) an opportunity, in one transaction.',
      tags: ['leads'],
      parameters: [idParameter, idempotencyKeyParameter],
      requestBody: { required: false, content: json(ref('ConvertLeadRequest')) },
      responses: {
        '200': {
          description: 'The records the conversion touched.',
          content: json(ref('ConvertedLead')),
        },
        ...problems(400, 403, 404, 409, 413, 415, 422),
      },
    },
    async (c) => {
      const body = await readJsonObject(c);
      // Cast: the body is validated by the engine (zod) when the call is made; the route passes it on.
      const options = body as Parameters<typeof c.var.scope.leads.convert>[1];
      return c.json(await c.var.scope.leads.convert(c.req.param('id') ?? '', options));
    },
  );

  const opportunityAction = (
    path: string,
    operationId: string,
    summary: string,
    requestSchema: string,
    run: (scope: CrmScope, id: string, body: Record<string, unknown>) => Promise<ApiRecord>,
  ) =>
    table.add(
      'post',
      `/opportunities/:id/${path}`,
      {
        operationId,
        summary,
        tags: ['opportunities'],
        parameters: [idParameter, ifMatchParameter, idempotencyKeyParameter],
        requestBody: { required: true, content: json(ref(requestSchema)) },
        responses: {
          '200': {
            description: 'The opportunity after the change.',
            headers: etagHeader,
            content: json(ref('Opportunity')),
          },
          ...problems(400, 403, 404, 409, 412, 413, 415, 422, 428),
        },
      },
      async (c) => {
        const id = c.req.param('id') ?? '';
        const body = await readJsonObject(c);
        const { version: read, fromHeader } = requiredVersion(c, body);
        const record = await c.var.scope.transaction(async (tx) => {
          if (fromHeader) checkPrecondition(await tx.opportunities.get(id), read, 'opportunity');
          return run(tx, id, { ...body, version: read });
        });
        return c.json(record, 200, { ETag: etagOf(record) });
      },
    );

  // The engine validates these bodies (and the convert options above) (VALIDATION with field paths); the types it declares are
  // stricter than what a JSON body can be said to be before that check.
  opportunityAction(
    'stage',
    'changeOpportunityStage',
    'Move an opportunity to another stage',
    'ChangeStageRequest',
    (scope, id, body) =>
      scope.opportunities.changeStage(
        id,
        // Cast: the engine validates the body (zod) in the call.
        body as Parameters<typeof scope.opportunities.changeStage>[1],
      ),
  );
  opportunityAction(
    'close-won',
    'closeOpportunityWon',
    'Close an opportunity won (with line items, in one transaction)',
    'CloseWonRequest',
    (scope, id, body) =>
      // Cast: the engine validates the body (zod) in the call.
      scope.opportunities.closeWon(id, body as Parameters<typeof scope.opportunities.closeWon>[1]),
  );
  opportunityAction(
    'close-lost',
    'closeOpportunityLost',
    'Close an opportunity lost with a reason',
    'CloseLostRequest',
    (scope, id, body) =>
      scope.opportunities.closeLost(
        id,
        // Cast: the engine validates the body (zod) in the call.
        body as Parameters<typeof scope.opportunities.closeLost>[1],
      ),
  );
}

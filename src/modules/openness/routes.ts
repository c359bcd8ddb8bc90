// Openness measurement routes (issue 7 §9), public: a dataset's metadata quality score (MQA-style) and 5-star
// level, the portal's statistics by department, and the 开放数林-style self-evaluation.
import { Type } from 'typebox';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';

const tags = ['openness'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Indicator = Type.Object({ key: Type.String(), points: Type.Integer(), max: Type.Integer() });
const Dimension = Type.Object({ points: Type.Integer(), max: Type.Integer(), indicators: Type.Array(Indicator) });
const Figure = Type.Object({
  total: Type.Integer(),
  answered: Type.Integer(),
  overdue: Type.Integer(),
  answerRate: Nullable(Type.Number()),
  medianAnswerDays: Nullable(Type.Number()),
});
const Applications = Type.Object({
  total: Type.Integer(),
  approved: Type.Integer(),
  rejected: Type.Integer(),
  pending: Type.Integer(),
  medianDecisionDays: Nullable(Type.Number({ description: 'Calendar days from application to decision (median)' })),
});
const Org = Type.Object({ id: Type.String(), code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });

export async function registerOpennessRoutes(app: App, ctx: AppContext) {
  app.get(
    '/api/openness/datasets/:id',
    {
      schema: {
        tags,
        summary: 'A dataset’s metadata quality score (EU MQA method, 405 points in five dimensions) and its 5-star open data level',
        security: [],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object({
            resourceId: Type.String(),
            stars: Type.Integer({ minimum: 0, maximum: 5 }),
            mqa: Type.Object({
              total: Type.Integer(),
              max: Type.Integer(),
              rating: Type.Enum(['excellent', 'good', 'sufficient', 'bad']),
              dimensions: Type.Object({
                findability: Dimension,
                accessibility: Dimension,
                interoperability: Dimension,
                reusability: Dimension,
                contextuality: Dimension,
              }),
            }),
          }),
        },
      },
    },
    async (req) => ctx.openness.dataset(req.actor, req.params.id),
  );

  app.get(
    '/api/openness/stats',
    {
      schema: {
        tags,
        summary:
          'Open data statistics: datasets opened, capacity, downloads and API calls, applications, demands and answer times, by department',
        security: [],
        response: {
          200: Type.Object({
            generatedAt: Type.String(),
            totals: Type.Object({
              openDatasets: Type.Integer(),
              unconditional: Type.Integer(),
              conditional: Type.Integer(),
              withData: Type.Integer({ description: 'Open datasets with a published data version here' }),
              rows: Type.Integer(),
              cells: Type.Integer({ description: 'Data capacity: Σ rows × columns' }),
              departmentsOpening: Type.Integer(),
              departments: Type.Integer(),
              downloads30d: Type.Integer(),
              apiCalls30d: Type.Integer(),
              averageMqa: Nullable(Type.Integer()),
              stars: Type.Array(Type.Integer(), { description: 'Datasets at 0★ … 5★' }),
              applications: Applications,
              reuses: Type.Integer(),
            }),
            demands: Figure,
            errorReports: Figure,
            months: Type.Array(Type.Object({ month: Type.String(), downloads: Type.Integer(), apiCalls: Type.Integer() })),
            departments: Type.Array(
              Type.Object({
                org: Org,
                unconditional: Type.Integer(),
                conditional: Type.Integer(),
                withData: Type.Integer(),
                rows: Type.Integer(),
                averageMqa: Nullable(Type.Integer()),
                downloads30d: Type.Integer(),
                apiCalls30d: Type.Integer(),
                applications: Applications,
                demands: Figure,
                errorReports: Figure,
              }),
            ),
          }),
        },
      },
    },
    async () => ctx.openness.stats(),
  );

  app.get(
    '/api/openness/evaluation',
    {
      schema: {
        tags,
        summary: 'Self-evaluation in the layers of the China open data index (开放数林): readiness, platform, data, use, effect',
        security: [],
        response: {
          200: Type.Object({
            generatedAt: Type.String(),
            overall: Nullable(Type.Number()),
            layers: Type.Array(
              Type.Object({
                key: Type.Enum(['readiness', 'platform', 'data', 'use', 'effect']),
                score: Nullable(Type.Number()),
                indicators: Type.Array(Type.Object({ key: Type.String(), value: Nullable(Type.Number()), score: Nullable(Type.Number()) })),
              }),
            ),
          }),
        },
      },
    },
    async () => ctx.openness.evaluation(),
  );
}

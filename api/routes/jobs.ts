import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { adminOnly } from '../access.js';

const Params = z.object({ name: z.string() });

/** `GET /api/v1/jobs` (schedules, last run and outcome) and `POST /api/v1/jobs/{name}/run` (run now). */
export async function jobRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('preHandler', adminOnly);
  app.get('/jobs', { schema: { summary: 'Scheduled jobs with their last run and outcome' } }, async () => ({
    jobs: app.deps.jobs.list(),
  }));
  app.post(
    '/jobs/:name/run',
    { schema: { summary: 'Run a scheduled job now (waits for it)', params: Params } },
    async (request) => {
      const { name } = request.params as z.infer<typeof Params>;
      if (!app.deps.jobs.list().some((j) => j.name === name))
        throw new AppError('JN_NOT_FOUND', 404, `job "${name}" not found`);
      return app.deps.jobs.run(name);
    },
  );
}

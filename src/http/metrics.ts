// Prometheus metrics at /metrics: requests and latency by route, the database pool, the job queue.
import client from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

export class Metrics {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<'method' | 'route' | 'status'>;
  private readonly latency: client.Histogram<'method' | 'route' | 'status'>;

  constructor(ctx: AppContext) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: 'shuyuan_' });
    this.requests = new client.Counter({
      name: 'shuyuan_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new client.Histogram({
      name: 'shuyuan_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    const pool = ctx.database.pool;
    new client.Gauge({
      name: 'shuyuan_db_pool_total',
      help: 'Connections open in the database pool',
      registers,
      collect() {
        this.set(pool.totalCount);
      },
    });
    new client.Gauge({
      name: 'shuyuan_db_pool_idle',
      help: 'Idle connections in the database pool',
      registers,
      collect() {
        this.set(pool.idleCount);
      },
    });
    new client.Gauge({
      name: 'shuyuan_db_pool_waiting',
      help: 'Queries waiting for a database connection',
      registers,
      collect() {
        this.set(pool.waitingCount);
      },
    });
    new client.Gauge({
      name: 'shuyuan_job_queue_size',
      help: 'Jobs waiting in each queue',
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const [queue, size] of Object.entries(await ctx.jobs.queueSizes().catch(() => ({})))) this.set({ queue }, size);
      },
    });
  }

  install(app: FastifyInstance) {
    app.addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions.url ?? 'unmatched';
      const labels = { method: req.method, route, status: String(reply.statusCode) };
      this.requests.inc(labels);
      this.latency.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}

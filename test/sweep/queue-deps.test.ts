/** Queue mode without its optional peer dependencies: the commands say how to install them. */
import { describe, expect, it, vi } from 'vitest';

describe('queue mode without bullmq', () => {
  it('enqueue and worker fail with the install command, before touching Redis', async () => {
    vi.doMock('bullmq', () => {
      throw new Error("Cannot find package 'bullmq'");
    });
    const { enqueueRuns, runQueueWorker, QueueDependencyError } = await import('../../src/sweep/queue.js');
    await expect(enqueueRuns([], { redis: 'redis://127.0.0.1:1', outDir: '/tmp' })).rejects.toThrow(QueueDependencyError);
    await expect(enqueueRuns([], { redis: 'redis://127.0.0.1:1', outDir: '/tmp' })).rejects.toThrow(/install them with: npm install bullmq ioredis/);
    await expect(runQueueWorker({ redis: 'redis://127.0.0.1:1', dataSource: { kind: 'mnist' }, gemmKernel: 'reference' })).rejects.toThrow(/npm install bullmq ioredis/);
    await expect(enqueueRuns([], { redis: 'localhost:6379', outDir: '/tmp' })).rejects.toThrow(/--redis: expected a redis:\/\/ or rediss:\/\/ URL/);
    vi.doUnmock('bullmq');
  });
});

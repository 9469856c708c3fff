import { createTask, type Logger } from 'node-cron';
import type { GatewayContext } from '../context.ts';
import { deliverDueMessages, type DeliverDueOptions } from './deliver-due.ts';
import { stampPendingReceipts } from '../evidence.ts';
import { expireMessages } from './expire-messages.ts';

export interface SchedulerOptions {
  delivery: DeliverDueOptions;
  /** Messages failed per tick at most (each one signs a receipt). */
  expireLimit: number;
  /** node-cron expression with seconds; default every second. */
  cron?: string;
  /** Where unexpected errors of a tick go (the tick itself never throws into the timer). */
  onError: (error: unknown) => void;
}

export interface Scheduler {
  /** Stops the timer and resolves once the tick in progress, if any, has finished. */
  stop(): Promise<void>;
  /** Runs one tick now (unless one is already running, which it then awaits). */
  tick(): Promise<void>;
}

/**
 * Drives push delivery and expiry (issue 3: "driven by a node-cron scheduler"): every second,
 * `deliverDueMessages`, `expireMessages`, then `stampPendingReceipts`. Ticks never overlap — node-cron's `noOverlap`
 * skips a firing while the previous tick runs, and a manual `tick()` joins the running one —
 * so one process never races itself; several processes are kept apart by the row claims in
 * `deliverDueMessages` and the conditional state transitions.
 */
export function startScheduler(ctx: GatewayContext, options: SchedulerOptions): Scheduler {
  let running: Promise<void> | undefined;
  let stopped = false;

  const tick = (): Promise<void> => {
    if (running !== undefined) return running;
    if (stopped) return Promise.resolve();
    running = (async () => {
      try {
        await deliverDueMessages(ctx, options.delivery);
      } catch (error) {
        options.onError(error);
      }
      try {
        await expireMessages(ctx, { limit: options.expireLimit });
      } catch (error) {
        options.onError(error);
      }
      try {
        // Receipts recorded while the TSA was down get their tokens once it answers again.
        await stampPendingReceipts(ctx, { limit: options.expireLimit });
      } catch (error) {
        options.onError(error);
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  // A long tick (slow endpoints) is normal, not worth a warning every second.
  const logger: Logger = {
    info: () => undefined,
    warn: () => undefined,
    debug: () => undefined,
    error: (message, err) => options.onError(err ?? message),
  };
  const task = createTask(options.cron ?? '* * * * * *', () => tick(), { noOverlap: true, logger, name: 'edx-push-delivery' });
  void Promise.resolve(task.start()).catch((error: unknown) => options.onError(error));

  return {
    tick,
    stop: async () => {
      stopped = true;
      await task.stop();
      await task.destroy();
      if (running !== undefined) await running;
    },
  };
}

/** Push delivery: retry policy (pure), the push worker, expiry, and the scheduler that drives them. */
export { checkEndpoint, deliverDueMessages, type DeliverDueOptions, type DeliverDueResult } from './deliver-due.ts';
export { expireMessages, type ExpireMessagesResult } from './expire-messages.ts';
export { backoffCeilingMs, nextAttemptDelayMs, RETRY_BASE_MS, RETRY_CAP_MS, RETRY_FACTOR, RETRY_FLOOR_MS } from './retry-policy.ts';
export { startScheduler, type Scheduler, type SchedulerOptions } from './scheduler.ts';

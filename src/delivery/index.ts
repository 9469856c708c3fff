/** The delivery domain: the state machine, submission, inbox, receipts and evidence (SPEC §5). */
export { acceptContainer } from './accept-container.ts';
export { createChangeFeed, inboxKey, messageKey, type ChangeFeed } from './change-feed.ts';
export { DELIVERY_ERROR_CODES, type DeliveryError, type DeliveryErrorCode, type DeliveryResult, type GatewayContext, type GatewayTimestamping } from './context.ts';
export { prepareEvidence, stampPendingReceipts, TIMESTAMP_ADDED_EVENT, TIMESTAMP_PENDING_EVENT, type PreparedEvidence } from './evidence.ts';
export { markDelivered } from './mark-delivered.ts';
export { BLOB_GC_GRACE_MS, collectBlobs } from './collect-blobs.ts';
export { evidenceFile, listMessageEvidence, type StoredEvidence } from './signature-evidence.ts';
export { acknowledge, inboxMessage, listInbox, type InboxItem, type MessageRow } from './inbox.ts';
export { listSent, messageView, receiptBlob, visibleMessage, type MessageView } from './messages-view.ts';
export { postReceipt } from './post-receipt.ts';
export type { SubmissionResponse } from './record-letters.ts';
export { canTransition, TERMINAL_STATES, TRANSITIONS, UNDELIVERED_STATES } from './state-machine.ts';
export { submitLetter, type SubmitLetterInput, type SubmitLetterOutput } from './submit-letter.ts';
export { transitionMessage } from './transition.ts';
export { deliveryMetrics, LATENCY_BUCKETS, type DeliveryMetrics } from './metrics.ts';
export { checkEndpoint, deliverDueMessages, expireMessages, nextAttemptDelayMs, startScheduler, type DeliverDueOptions, type DeliverDueResult, type ExpireMessagesResult, type Scheduler, type SchedulerOptions } from './push/index.ts';

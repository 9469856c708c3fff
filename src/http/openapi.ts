/**
 * The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. A test checks that
 * every route the app registers is described here and nothing else is.
 */
const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const zip = { content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } } };

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'edx-gateway API',
    version: '1',
    description:
      'Legally significant exchange of signed letters between organisations: submit letters, pull or receive them, acknowledge, register or refuse with signed receipts. Every error is {code, message, requestId}.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'edx_<id>_<secret>, bound to one participant and roles send/receive/admin' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['code', 'message', 'requestId'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' }, details: {} },
      },
      Document: {
        type: 'object',
        required: ['kind', 'regNumber', 'regDate', 'subject', 'signatory'],
        properties: {
          kind: { enum: ['letter', 'reply', 'appeal', 'request', 'notice'] },
          regNumber: { type: 'string', maxLength: 100 },
          regDate: { type: 'string', format: 'date' },
          subject: { type: 'string', maxLength: 2000 },
          signatory: { type: 'object', required: ['name', 'position'], properties: { name: { type: 'string' }, position: { type: 'string' } } },
          inReplyTo: { type: 'string', format: 'uuid' },
          responseDue: { type: 'string', format: 'date' },
        },
      },
      Submission: {
        type: 'object',
        properties: {
          submissionId: { type: 'string' },
          messages: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, to: { type: 'string' }, state: { type: 'string' } } } },
        },
      },
    },
    responses: { Error: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
  },
  paths: {
    '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'alive' } } } },
    '/readyz': { get: { summary: 'Readiness (trust anchors loaded)', responses: { 200: { description: 'ready' }, 503: error } } },
    '/metrics': { get: { summary: 'Prometheus metrics: messages by state, delivery latency histogram', responses: { 200: { description: 'text/plain exposition' } } } },
    '/api/v1/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/api/v1/verify': {
      post: { summary: 'Verify a letter or receipt container; nothing is stored', requestBody: zip, responses: { 200: { description: 'verification report' }, 413: error, 415: error, 422: error } },
    },
    '/api/v1/messages': {
      post: {
        summary: 'Submit a letter to one or more addressees (role send)',
        security: bearer,
        parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 200 } }],
        requestBody: {
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['metadata', 'files'],
                properties: {
                  metadata: { type: 'string', description: 'JSON {to: [participant ids], document: Document}' },
                  files: { type: 'array', items: { type: 'string', format: 'binary' } },
                  signatures: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'detached CMS named <file name>.p7s' },
                },
              },
            },
          },
        },
        responses: { 202: { description: 'accepted', content: { 'application/json': { schema: { $ref: '#/components/schemas/Submission' } } } }, 400: error, 401: error, 403: error, 409: error, 413: error, 415: error, 422: error },
      },
      get: {
        summary: "The caller's sent messages (role send)",
        security: bearer,
        parameters: [
          { name: 'state', in: 'query', schema: { type: 'string' } },
          { name: 'to', in: 'query', schema: { type: 'string' } },
          { name: 'after', in: 'query', schema: { type: 'integer' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 500 } },
        ],
        responses: { 200: { description: 'page of messages' }, 400: error, 401: error, 403: error },
      },
    },
    '/api/v1/messages/{id}': {
      get: { summary: 'State, timeline, receipts and validation reports (sender or recipient)', security: bearer, parameters: [idParam], responses: { 200: { description: 'message' }, 401: error, 403: error, 404: error } },
    },
    '/api/v1/messages/{id}/receipts/{receiptId}': {
      get: {
        summary: 'Download a receipt container (sender or recipient)',
        security: bearer,
        parameters: [idParam, { name: 'receiptId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'receipt container', ...zip }, 401: error, 403: error, 404: error },
      },
    },
    '/api/v1/containers': {
      post: { summary: "Submit a ready container signed by the sender's own system (role send)", security: bearer, requestBody: zip, responses: { 202: { description: 'accepted' }, 401: error, 403: error, 409: error, 413: error, 415: error, 422: error } },
    },
    '/api/v1/inbox': {
      get: {
        summary: 'Incoming messages in arrival order (role receive)',
        security: bearer,
        parameters: [
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 500 } },
        ],
        responses: { 200: { description: 'page; nextCursor is null at the end' }, 400: error, 401: error, 403: error },
      },
    },
    '/api/v1/inbox/{id}/container': {
      get: { summary: 'Download the letter container', security: bearer, parameters: [idParam], responses: { 200: { description: 'container', ...zip }, 401: error, 403: error, 404: error } },
    },
    '/api/v1/inbox/{id}/ack': {
      post: { summary: 'Acknowledge: queued -> delivered, with delivered evidence', security: bearer, parameters: [idParam], responses: { 200: { description: 'state' }, 401: error, 403: error, 404: error } },
    },
    '/api/v1/inbox/{id}/receipts': {
      post: {
        summary: "Post the recipient's signed receipt container (registered or refused)",
        security: bearer,
        parameters: [idParam],
        requestBody: zip,
        responses: { 201: { description: 'recorded' }, 401: error, 403: error, 404: error, 409: error, 415: error, 422: error },
      },
    },
  },
} as const;

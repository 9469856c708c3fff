/**
 * The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. A test checks that
 * every route the app registers is described here and nothing else is.
 */
const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const zip = { content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } } };
const admin = (summary: string, responses: Record<number, unknown>, extra: Record<string, unknown> = {}) =>
  ({ summary: `${summary} (role admin)`, tags: ['admin'], security: bearer, ...extra, responses: { ...responses, 401: error, 403: error } }) as const;
const participantParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } };
const fingerprintParam = { name: 'fingerprint', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-fA-F:]{64,95}$' }, description: 'SHA-256 of the certificate DER' };
const json = (schema: Record<string, unknown>) => ({ content: { 'application/json': { schema } } });
const certificateUpload = {
  content: {
    'application/x-pem-file': { schema: { type: 'string' } },
    'application/pkix-cert': { schema: { type: 'string', format: 'binary' } },
    'application/pkcs7-mime': { schema: { type: 'string', format: 'binary' }, description: 'PKCS#7 certs-only bundle' },
  },
};

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
      FieldError: {
        type: 'object',
        required: ['field', 'code', 'message'],
        properties: { row: { type: 'integer' }, field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
      },
      Participant: {
        type: 'object',
        description: 'A directory participant. Check digits of inn, ogrn and signatory.snils are verified; pushEndpoint must be https.',
        properties: {
          id: { type: 'string' },
          kind: { enum: ['government', 'enterprise'] },
          category: { type: 'string' },
          name: { type: 'string' },
          shortName: { type: 'string' },
          inn: { type: 'string' },
          ogrn: { type: 'string' },
          kpp: { type: ['string', 'null'] },
          parentId: { type: ['string', 'null'] },
          region: { type: ['string', 'null'] },
          address: { type: ['string', 'null'] },
          email: { type: ['string', 'null'] },
          phone: { type: ['string', 'null'] },
          deliveryMode: { enum: ['pull', 'push'] },
          pushEndpoint: { type: ['string', 'null'], format: 'uri' },
          state: { enum: ['active', 'suspended'] },
          signatory: { type: ['object', 'null'], properties: { surname: { type: 'string' }, givenName: { type: 'string' }, position: { type: 'string' }, snils: { type: 'string' } } },
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
    '/readyz/revocation': {
      get: { summary: 'CRL cache detail: age and staleness of each cached CRL; 503 NOT_READY while a distribution point has no fresh CRL', responses: { 200: { description: 'every cached CRL fresh' }, 503: error } },
    },
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
        responses: { 202: { description: 'accepted', content: { 'application/json': { schema: { $ref: '#/components/schemas/Submission' } } } }, 400: error, 401: error, 403: error, 409: error, 413: error, 415: error, 422: error, 503: error },
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
      get: {
        summary: 'State, timeline, receipts and validation reports (sender or recipient)',
        security: bearer,
        parameters: [
          idParam,
          { name: 'wait', in: 'query', schema: { type: 'integer', maximum: 60 }, description: 'long poll: seconds to wait while the state is still changedFrom' },
          { name: 'changedFrom', in: 'query', schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'message' }, 401: error, 403: error, 404: error },
      },
    },
    '/api/v1/messages/{id}/receipts/{receiptId}': {
      get: {
        summary: 'Download a receipt container (sender or recipient)',
        security: bearer,
        parameters: [idParam, { name: 'receiptId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'receipt container', ...zip }, 401: error, 403: error, 404: error },
      },
    },
    '/api/v1/messages/{id}/evidence': {
      get: {
        summary: 'Long-term evidence kept with the message: CRLs and OCSP responses used, detached signature time-stamp tokens (sender or recipient)',
        security: bearer,
        parameters: [idParam],
        responses: { 200: { description: 'list of evidence items' }, 401: error, 403: error, 404: error },
      },
    },
    '/api/v1/messages/{id}/evidence/{evidenceId}': {
      get: {
        summary: 'Download one evidence item (DER CRL, OCSP response or RFC 3161 token)',
        security: bearer,
        parameters: [idParam, { name: 'evidenceId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { 200: { description: 'DER bytes' }, 401: error, 403: error, 404: error },
      },
    },
    '/api/v1/containers': {
      post: { summary: "Submit a ready container signed by the sender's own system (role send)", security: bearer, requestBody: zip, responses: { 202: { description: 'accepted' }, 401: error, 403: error, 409: error, 413: error, 415: error, 422: error, 503: error } },
    },
    '/api/v1/inbox': {
      get: {
        summary: 'Incoming messages in arrival order (role receive)',
        security: bearer,
        parameters: [
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 500 } },
          { name: 'wait', in: 'query', schema: { type: 'integer', maximum: 60 }, description: 'long poll: seconds to wait for a letter when nothing is new (X-Edx-Wait: notified|timeout)' },
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
    '/api/v1/admin/participants': {
      get: admin('Search the directory: q (name substring, any case; or INN/OGRN prefix), category, kind, state, paging', { 200: { description: '{items, total, limit, offset}' }, 400: error }, {
        parameters: ['q', 'category', 'kind', 'state', 'limit', 'offset'].map((name) => ({ name, in: 'query', schema: { type: name === 'limit' || name === 'offset' ? 'integer' : 'string' } })),
      }),
      post: admin('Create a participant; 422 lists every invalid field', { 201: { description: 'created' }, 409: error, 415: error, 422: error }, { requestBody: json({ $ref: '#/components/schemas/Participant' }) }),
    },
    '/api/v1/admin/participants/export': {
      get: admin('Export the directory as CSV (RFC 4180, formula-safe) or XML (urn:edx-gateway:directory:1)', { 200: { description: 'the file' }, 400: error }, {
        parameters: [{ name: 'format', in: 'query', schema: { enum: ['csv', 'xml'] } }],
      }),
    },
    '/api/v1/admin/participants/import': {
      post: admin('Import participants (create or replace by id), all or nothing; 422 details are [{row, field, code, message}]', { 200: { description: '{rows, created, updated, unchanged}' }, 400: error, 413: error, 415: error, 422: error }, {
        requestBody: { content: { 'text/csv': { schema: { type: 'string' } }, 'application/xml': { schema: { type: 'string' } } } },
      }),
    },
    '/api/v1/admin/participants/{id}': {
      get: admin('One participant', { 200: { description: 'participant' }, 404: error }, { parameters: [participantParam] }),
      patch: admin('Edit a participant (fields given are changed; null clears)', { 200: { description: 'participant' }, 404: error, 415: error, 422: error }, {
        parameters: [participantParam],
        requestBody: json({ $ref: '#/components/schemas/Participant' }),
      }),
    },
    '/api/v1/admin/participants/{id}/suspend': {
      post: admin('Suspend a participant', { 200: { description: 'participant' }, 404: error, 409: error }, { parameters: [participantParam], requestBody: json({ type: 'object', properties: { reason: { type: 'string' } } }) }),
    },
    '/api/v1/admin/participants/{id}/reactivate': {
      post: admin('Reactivate a participant', { 200: { description: 'participant' }, 404: error, 409: error }, { parameters: [participantParam], requestBody: json({ type: 'object', properties: { reason: { type: 'string' } } }) }),
    },
    '/api/v1/admin/participants/{id}/certificates': {
      get: admin("The participant's certificates with parsed details", { 200: { description: '{items}' }, 404: error }, { parameters: [participantParam] }),
      post: admin('Register certificates (PEM, DER or PKCS#7 bundle); warnings for expiry within 30 days, no chain to a trust anchor, other OGRN/INN', {
        200: { description: 'already registered' },
        201: { description: '{certificates, warnings}' },
        400: error,
        404: error,
        409: error,
        413: error,
        422: error,
      }, { parameters: [participantParam], requestBody: certificateUpload }),
    },
    '/api/v1/admin/certificates/expiring': {
      get: admin('Active certificates expiring within `days` (default 30)', { 200: { description: '{items}' }, 400: error }, { parameters: [{ name: 'days', in: 'query', schema: { type: 'integer', minimum: 1 } }] }),
    },
    '/api/v1/admin/certificates/{fingerprint}/revoke': {
      post: admin('Revoke a certificate locally', { 200: { description: 'certificate' }, 400: error, 404: error, 409: error }, { parameters: [fingerprintParam] }),
    },
    '/api/v1/admin/trust-anchors': {
      get: admin('Trusted CA certificates', { 200: { description: '{items}' } }),
      post: admin('Add a CA certificate (PEM or DER) as a trust anchor', { 201: { description: 'trust anchor' }, 400: error, 409: error, 413: error, 422: error }, {
        parameters: [
          { name: 'qualified', in: 'query', schema: { enum: ['true', 'false'] } },
          { name: 'label', in: 'query', schema: { type: 'string' } },
        ],
        requestBody: certificateUpload,
      }),
    },
    '/api/v1/admin/trust-anchors/trusted-list': {
      post: admin(
        'Import an ETSI TS 119 612 trusted list: its XML signature must verify and be made by a pinned signer; granted CA/QC services become qualified anchors. Refusals carry the list code (XMLDSIG_*, TL_*, XML_*) in details.code',
        { 200: { description: 'report: nothing added' }, 201: { description: 'report {territory, sequenceNumber, source, added, requalified, unchanged, withdrawn, skipped, warnings}' }, 400: error, 409: error, 413: error, 415: error, 422: error },
        {
          parameters: [
            { name: 'signer', in: 'query', required: true, schema: { type: 'array', items: { type: 'string', pattern: '^[0-9a-fA-F:]{64,95}$' } }, style: 'form', explode: true, description: 'SHA-256 fingerprint of a certificate allowed to sign the list (repeatable)' },
            { name: 'allowExpired', in: 'query', schema: { enum: ['true', 'false'] } },
            { name: 'includeNonQualified', in: 'query', schema: { enum: ['true', 'false'] } },
          ],
          requestBody: { required: true, content: { 'application/xml': { schema: { type: 'string' } } } },
        },
      ),
    },
    '/api/v1/admin/trust-anchors/{fingerprint}': {
      delete: admin('Remove a trust anchor', { 200: { description: 'the removed anchor' }, 400: error, 404: error }, { parameters: [fingerprintParam] }),
    },
    '/api/v1/admin/tokens': {
      get: admin('API tokens (never the secret)', { 200: { description: '{items}' }, 400: error }, { parameters: [{ name: 'participantId', in: 'query', schema: { type: 'string' } }] }),
      post: admin('Issue a token; it is in this response only', { 201: { description: '{token, id, participantId, name, roles}' }, 400: error, 404: error, 415: error }, {
        requestBody: json({ type: 'object', required: ['participantId', 'name', 'roles'], properties: { participantId: { type: 'string' }, name: { type: 'string' }, roles: { type: 'array', items: { enum: ['send', 'receive', 'admin'] } } } }),
      }),
    },
    '/api/v1/admin/tokens/{id}/revoke': {
      post: admin('Revoke a token', { 200: { description: 'token' }, 404: error, 409: error }, { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }),
    },
    '/api/v1/admin/audit': {
      get: admin('The hash-chained journal in order', { 200: { description: '{items, nextAfter}' }, 400: error }, {
        parameters: [
          { name: 'after', in: 'query', schema: { type: 'integer' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 1000 } },
          { name: 'messageId', in: 'query', schema: { type: 'string' } },
          { name: 'type', in: 'query', schema: { type: 'string' } },
        ],
      }),
    },
    '/api/v1/admin/audit/verify': {
      get: admin('Recompute the hash chain: {ok, rows, lastHash} or {ok: false, seq, reason}', { 200: { description: 'verification' } }),
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

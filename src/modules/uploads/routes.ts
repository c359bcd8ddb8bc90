// The tus endpoint: POST /api/uploads creates an upload; HEAD/PATCH/DELETE /api/uploads/:id ask its offset,
// append a chunk, cancel it; OPTIONS tells the protocol's capabilities. They are ordinary Fastify routes, so the
// identity hooks run first (session + CSRF on POST/PATCH/DELETE, or an API-key signature) and our checks
// (UploadsService.admit) answer with the platform's error body; tus then gets the raw request stream (the
// content-type parser below leaves application/offset+octet-stream bodies unread, outside the JSON body limit)
// and its answer is sent through the reply, keeping the app's security headers, request id and cookies.
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/app.ts';
import type { AppContext } from '../../context.ts';
import { UPLOADS_PATH } from './service.ts';

const TUS_DOC =
  'tus 1.0 resumable upload (https://tus.io/protocols/resumable-upload; extensions creation, creation-with-upload, ' +
  'termination). Every request carries `Tus-Resumable: 1.0.0`; browser sessions also send `x-csrf-token` on POST, ' +
  'PATCH and DELETE. See docs/api.md, "Uploads".';

export async function registerUploadsRoutes(app: App, ctx: AppContext) {
  const { uploads } = ctx;
  const tags = ['uploads'];

  // tus chunks: handed to tus as a stream, never parsed or buffered by Fastify.
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));

  const handle = async (req: FastifyRequest, reply: FastifyReply, id: string | null) => {
    reply.header('tus-resumable', '1.0.0'); // on our error answers too
    await uploads.admit(req.actor, req.method, id, req.headers);
    return reply.send(await uploads.handle(req));
  };
  const closeIfBody = async (req: FastifyRequest, reply: FastifyReply) => {
    // Refused before the body was read whole (by us, by the identity hooks or by tus): close the connection
    // rather than read the rest of a possibly huge chunk nobody wants, or leave it unread on a kept-alive socket.
    if ((req.method === 'PATCH' || req.method === 'POST') && !req.raw.complete) reply.header('connection', 'close');
  };

  app.route({
    method: ['POST', 'OPTIONS'],
    url: UPLOADS_PATH,
    schema: {
      tags,
      summary: 'Create a resumable upload (tus): Upload-Length and Upload-Metadata (filename, filetype) required',
      description:
        `${TUS_DOC} Answers 201 with \`Location: /api/uploads/<id>\`. Sign-in required (401 UNAUTHENTICATED). ` +
        'Upload-Length above SHUYUAN_UPLOAD_MAX_BYTES: 413 UPLOAD_TOO_LARGE before any byte is stored; no Upload-Length ' +
        '(or Upload-Defer-Length): 400 UPLOAD_LENGTH_REQUIRED; no filename: 400 UPLOAD_FILENAME_INVALID. ' +
        'OPTIONS (no sign-in) answers Tus-Version, Tus-Extension and Tus-Max-Size.',
      response: {
        201: Type.Null({ description: 'Created; Location names the upload, Upload-Offset is set when the request carried data' }),
        204: Type.Null({ description: 'OPTIONS: the server capabilities in headers' }),
      },
    },
    onError: closeIfBody,
    handler: (req, reply) => handle(req, reply, null),
  });

  app.route({
    method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'],
    url: `${UPLOADS_PATH}/:id`,
    schema: {
      tags,
      summary: 'An upload: HEAD its offset, PATCH a chunk at that offset, DELETE it (only its uploader; others get 404)',
      description:
        `${TUS_DOC} HEAD answers Upload-Offset and Upload-Length; PATCH (Content-Type application/offset+octet-stream, ` +
        'Upload-Offset = the current offset, else 409) answers 204 with the new Upload-Offset; DELETE answers 204. ' +
        'An upload that is not yours, unknown or expired: 404 UPLOAD_NOT_FOUND.',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: {
        200: Type.Null({ description: 'HEAD: Upload-Offset, Upload-Length, Upload-Metadata' }),
        204: Type.Null({ description: 'PATCH: the new Upload-Offset; DELETE: done' }),
      },
    },
    onError: closeIfBody,
    handler: (req, reply) => handle(req, reply, (req.params as { id: string }).id),
  });

  uploads.start();
  app.addHook('onClose', async () => uploads.stop());
}

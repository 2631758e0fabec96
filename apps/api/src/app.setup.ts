import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseQuery } from 'node:querystring';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { KeywardConfig } from '@keyward/config';
import type { Socket } from 'node:net';
import { ProblemFilter, fastifyRefusal, problemDocument, sendProblem } from './http/problem.filter';
import { jsonBody, requestId, requireCleanInput, requireJson } from './http/request-guards.middleware';
import { Metrics, ROOT_LOGGER, requestIdFrom, requestLogging } from '@keyward/observability';
import { UsageBuffer } from '@keyward/usage';
import { Logger } from 'nestjs-pino';
import { etags } from './http/etag.hook';
import { httpMetrics } from './http/metrics.middleware';
import { guardedRoute, queueDashboardGate } from './ops/queue-dashboard';
import { DASHBOARD_PATH } from './ops/dashboard-sessions';
import { AuthPipeline, RoutedRequest } from '@keyward/auth';
import { usageTracker } from './http/usage.middleware';
import { validationPipe } from './http/validation';
import { applyQueryConstraints, applyValidationConstraints } from './http/openapi-constraints';
import { documentProblems } from './http/openapi-problems';
import { documentDomainRules } from './http/openapi-domain';
import { ModulesContainer } from '@nestjs/core';
import { consoleRouter, findConsoleBuild } from './console/console-assets';

/** node:http's default requestTimeout (5 minutes). */
const NODE_REQUEST_TIMEOUT_MS = 300_000;

/** Body limit of POST /v1/usage: its 1..1000 records (docs/verifier-protocol.md), whatever BODY_LIMIT is. */
const USAGE_BODY_LIMIT = '1mb';

/**
 * Where SwaggerModule.setup serves the playground and the document: the page and its assets
 * under /docs, the JSON at /docs/openapi.json and the YAML at /docs-yaml. `/docs-json` is the
 * module's default JSON path (unused here since jsonDocumentUrl moves it); it is listed so that
 * no default alias escapes DOCS_PUBLIC if that option ever goes.
 */
const DOCS_PATH = 'docs';
const DOCS_JSON_URL = `${DOCS_PATH}/openapi.json`;
const DOCS_YAML_URL = `${DOCS_PATH}-yaml`;
export const DOCS_ROUTES = [`/${DOCS_PATH}`, `/${DOCS_PATH}-json`, `/${DOCS_YAML_URL}`];

export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Keyward')
    .setDescription(
      'Self-hosted API keys: create, authenticate, revoke and rotate keys, with an append-only, hash-chained audit log. ' +
        'Send the key as `x-api-key: <key>`, `api-key: <key>` or `Authorization: Bearer <key>` (two headers with different keys: 401 AMBIGUOUS_API_KEY). Errors are application/problem+json.',
    )
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'x-api-key')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'api-key' }, 'api-key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'kw_…' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  applyValidationConstraints(document);
  applyQueryConstraints(document, controllersOf(app));
  documentProblems(document);
  return documentDomainRules(document);
}

/** The controller classes of the app (their @Query types give the query parameters' rules). */
function controllersOf(app: INestApplication): Function[] {
  return [...app.get(ModulesContainer).values()].flatMap((m) => [...m.controllers.values()].map((w) => w.metatype as Function));
}

/**
 * Requests Node's HTTP parser refuses before the app runs (a head over 16 KB, bytes it
 * cannot parse) get a problem+json answer too, then the connection closes (Fastify's clientErrorHandler).
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    problemDocument(status, tooLarge ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST', tooLarge ? 'headers: larger than 16 KB' : 'the request could not be parsed as HTTP', [
      { field: tooLarge ? 'headers' : 'request', message: tooLarge ? 'too large' : 'not parseable' },
    ]),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The API's HTTP server: Fastify, routing as Express did (case-insensitive paths, a trailing
 * slash ignored, node:querystring queries) so that every URL answers as before; TRUST_PROXY
 * has the same meaning (proxy-addr). Before anything else runs, Node's request gets the route
 * it matched as declared: the middleware and the auth pipeline name it, never the raw URL.
 */
export function apiHttpAdapter(config: KeywardConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({
    trustProxy: config.trustProxy,
    genReqId: requestIdFrom,
    clientErrorHandler: answerClientError,
    // before routing, so before the middleware: the request id is echoed here
    frameworkErrors: (err: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(reply, fastifyRefusal(err), { 'X-Request-Id': request.id }),
    // Node's limit for a whole request, as on Express (Fastify's default is none: a body could trickle in forever)
    requestTimeout: NODE_REQUEST_TIMEOUT_MS,
    // while stopping, a request on an open connection is served, with `Connection: close`, as on
    // Express (Fastify's default answers it 503 with a body of its own, not a problem)
    return503OnClosing: false,
    // the validation pipe answers over-long ids (400), not the router: no parameter is longer than
    // the request head Node accepts (16 KB)
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 65_536, querystringParser: (query) => parseQuery(query) },
  });
  adapter.setOnRequestHook((request, _reply, done) => {
    (request.raw as RoutedRequest).declaredRoute = request.routeOptions.url;
    done();
  });
  return adapter;
}

/** The API application on its HTTP server, configured (main.ts and the tests). */
export async function createApi(module: DynamicModule, config: KeywardConfig, options: { bufferLogs?: boolean; logger?: ['error'] } = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, apiHttpAdapter(config), { bodyParser: false, ...options });
  configureApp(app, config);
  return app;
}

/** Everything the HTTP layer adds around the controllers; shared by main.ts and the tests. */
export function configureApp(app: NestFastifyApplication, config: KeywardConfig): void {
  app.useLogger(app.get(Logger));
  app.use(requestId);
  app.use(requestLogging(app.get(ROOT_LOGGER)));
  if (config.console.enabled) app.use('/console', consoleRouter(config.console.dir ?? findConsoleBuild()));
  app.use(httpMetrics(app.get(Metrics)));
  app.use(usageTracker(app.get(UsageBuffer)));
  app.get(Metrics).watchUsageBuffer(() => app.get(UsageBuffer).size);
  app.use(requireJson);
  // usage batches of customer services (up to 1000 records of about 0.3-1 KB) need more than BODY_LIMIT
  app.use('/v1/usage', jsonBody(USAGE_BODY_LIMIT));
  app.use(jsonBody(config.bodyLimit));
  app.use(requireCleanInput);
  handOverParsedBodies(app);
  app.getHttpAdapter().getInstance().addHook('onSend', etags);
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  app.use(DASHBOARD_PATH, queueDashboardGate(app));
  if (!config.docsPublic) for (const route of DOCS_ROUTES) app.use(route, guardedRoute(app.get(AuthPipeline)));
  SwaggerModule.setup(DOCS_PATH, app, () => openApiDocument(app), { jsonDocumentUrl: DOCS_JSON_URL, yamlDocumentUrl: DOCS_YAML_URL });
}

/**
 * Bodies are read by the middleware above (jsonBody, as on Express) before Fastify would parse
 * them: its content-type parsers are replaced by one that hands over what the middleware read.
 */
function handOverParsedBodies(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, _payload, done) => done(null, (request.raw as { body?: unknown }).body));
}

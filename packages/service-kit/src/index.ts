export { ConfigError, baseConfigSchema, exitOnConfigError, loadConfig, metricsPortSchema, trustProxyOption } from './config.js';
export type { BaseConfig, ConfigIssue } from './config.js';
export { CORRELATION_ID_HEADER, correlationIdFrom, correlationIdPlugin, genCorrelationId } from './correlation-id.js';
export { REDACTED, loggerOptions, redactUrl, serverOptions } from './logger.js';
export type { ExtraServerOptions, LoggerSettings, ServerOptionsSettings } from './logger.js';
export {
  FieldErrorSchema,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_SECURITY_HEADERS,
  ProblemDetailsSchema,
  answerClientError,
  answerFrameworkError,
  problemDetailsPlugin,
} from './problem-details.js';
export { ProblemSchema, problemResponses } from './problem-responses.js';
export { nameSchemaComponents } from './openapi-components.js';
export { closingConnectionsPlugin } from './closing-connections.js';
export { serverTimeouts, serverTimeoutsConfigSchema } from './server-timeouts.js';
export type { ServerTimeoutsConfig } from './server-timeouts.js';
export { discardRequestBody, watchForStall } from './request-body.js';
export type { DiscardOptions, StallWatch, StallWatchOptions } from './request-body.js';
export type { FieldError, ProblemDetails } from './problem-details.js';
export {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RequestTimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  createError,
} from './http-errors.js';
export { healthPlugin } from './health.js';
export type { CheckOutcome, Health, HealthOptions, ReadinessCheck } from './health.js';
export { listenMetrics, metricsPlugin } from './metrics.js';
export type { MetricsListener, MetricsListenerOptions, MetricsOptions } from './metrics.js';
export { shutDown } from './shutdown.js';
export type { ShutdownHook, ShutdownOptions } from './shutdown.js';
export { startServer } from './start-server.js';
export type { StartedServer, StartServerOptions } from './start-server.js';
export { BODY_LIMIT_BYTES, createServiceApp, serviceKit } from './service-app.js';
export type { ServiceApp, ServiceAppOptions, ServiceKitOptions } from './service-app.js';
export { authConfigSchema, authOptionsFrom, authPlugin, createTokenSigner } from './auth.js';
export type { AuthOptions, Caller } from './auth.js';
export { defineService, handleEvents } from './service-definition.js';
export { installTracing, isTracingOn, startTracing } from './tracing.js';
export type { Tracing } from './tracing.js';
export type {
  ConsumerDefinition,
  FromConfig,
  OpenedAdapters,
  RunnableConfig,
  ServiceChecks,
  ServiceDefinition,
  ServiceDeps,
  ServiceLogger,
} from './service-definition.js';
export { buildService, openService, runService, startServices } from './service-runner.js';
export type { AnyServiceDefinition, OpenedService, OpenServiceOptions, ServiceEntry, StartedServices, StartServicesOptions } from './service-runner.js';
export { exitOnMissingDatabase } from './missing-database.js';

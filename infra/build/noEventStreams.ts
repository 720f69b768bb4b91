/**
 * Bundled in place of `@smithy/core/event-streams` (see serverless.yml, esbuild `alias`). The SDK's
 * protocol layer imports it lazily, only for operations with an event-stream member, and neither
 * DynamoDB nor KMS has one (their APIs are JSON request/response over awsJson1_0 / awsJson1_1):
 * the lazy import can never run for the calls we make, yet without code splitting esbuild inlines
 * its target, about 15 KB of every bundle. Should an event-stream operation ever be called, it
 * fails here by name rather than somewhere inside the SDK.
 */
const unavailable = (): never => {
  throw new Error('@smithy/core/event-streams is not bundled (infra/build/noEventStreams.ts): no DynamoDB or KMS operation streams events');
};

export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

export const eventStreamSerdeProvider = unavailable;

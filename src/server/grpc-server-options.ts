/**
 * Options of the scaler's gRPC server, shared with the load benchmark's bare server so both pay the same
 * transport costs.
 *
 * Channelz is off: nothing here serves the channelz service, yet with it on grpc-js keeps records of
 * every call and socket for it, work the load benchmark showed on every call.
 */
export const GRPC_SERVER_OPTIONS = {
  'grpc.max_receive_message_length': 1024 * 1024,
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.enable_channelz': 0,
} as const;

import path from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';

/** Same path from src/server (tsx, ts-jest) and from dist/server (the built image). */
export const PROTO_PATH = path.resolve(__dirname, '../../proto/externalscaler.proto');

export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

export function loadExternalScalerProto(): {
  packageDefinition: PackageDefinition;
  service: ServiceClientConstructor;
} {
  const packageDefinition = loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
  const grpcObject = loadPackageDefinition(packageDefinition);
  const service = (grpcObject.externalscaler as GrpcObject).ExternalScaler as ServiceClientConstructor;
  return { packageDefinition, service };
}

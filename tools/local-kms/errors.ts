/**
 * KMS error model for the local KMS endpoint.
 *
 * Real KMS (awsJson1_1 protocol) reports errors as an HTTP 4xx/5xx status
 * plus a JSON body `{"__type": "<ErrorName>", "message": "..."}`. The AWS SDK
 * maps `__type` (or the `x-amzn-ErrorType` header) to the exception class it
 * throws, so the names below must be the exact KMS/AWS error names.
 */

export type KmsErrorName =
  | 'AlreadyExistsException'
  | 'IncorrectKeyException'
  | 'InvalidAliasNameException'
  | 'InvalidCiphertextException'
  | 'InvalidKeyUsageException'
  | 'KMSInternalException'
  | 'NotFoundException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'UnsupportedOperationException'
  | 'ValidationException';

export class KmsError extends Error {
  readonly type: KmsErrorName;
  readonly statusCode: number;

  constructor(type: KmsErrorName, message: string) {
    super(message);
    this.name = type;
    this.type = type;
    // KMSInternalException is the only server-side (5xx) error we produce;
    // every other KMS error is a client error returned with HTTP 400.
    this.statusCode = type === 'KMSInternalException' ? 500 : 400;
  }
}

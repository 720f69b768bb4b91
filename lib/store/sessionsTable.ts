import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The sessions table: every item carries `ttl` (epoch seconds) so DynamoDB deletes it once it can
 * no longer matter. TTL deletion is lazy (up to days late), so readers check expiry themselves.
 *
 * - `SESSION#<id>`: a service-account session (clients with refresh tokens on).
 * - `REVOKED#<realm>#<jti>`: an access token revoked before its expiry (RFC 7009).
 * - `JTI#<realm>#<clientId>#<jti>`: a client assertion already used (RFC 7523 §3, replay).
 */
export interface SessionRecord {
  id: string;
  realm: string;
  clientId: string;
  /** Epoch seconds. */
  started: number;
  lastRefresh: number;
  /** Session max lifespan end; also the item's TTL. */
  expiresAt: number;
  /** The `scope` parameter the session started with ('' when none); a refresh may only narrow it. */
  requestedScope: string;
  /** SHA-256 of the refresh token issued last, and when it was issued. */
  nextTokenHash: string;
  nextTokenIssuedAt: number;
  /** SHA-256 of the token last presented (Keycloak's currentRefreshToken) and how often it was used. */
  currentTokenHash?: string;
  currentTokenIssuedAt?: number;
  currentTokenUses: number;
  /** Hashes of older tokens of this session: presenting one is reuse and ends the session. */
  previousTokenHashes: string[];
  /** Optimistic concurrency: every update is conditional on the version it read. */
  version: number;
}

const sessionKey = (id: string) => ({ pk: `SESSION#${id}` });

export class SessionsTable {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async create(session: SessionRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...sessionKey(session.id), ...session, ttl: session.expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Strongly consistent: a refresh must see the rotation state the last refresh wrote. */
  async get(id: string): Promise<SessionRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: sessionKey(id), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, ttl: _ttl, ...session } = out.Item;
    return session as SessionRecord;
  }

  /**
   * Writes the session's new state only if nobody else changed it since `expectedVersion` was read;
   * false when someone did (the caller re-reads and decides again). This is what keeps two
   * concurrent refreshes of one token from both succeeding.
   */
  async replace(session: SessionRecord, expectedVersion: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...sessionKey(session.id), ...session, ttl: session.expiresAt },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: sessionKey(id) }));
  }

  /**
   * Adds one to a failed-authentication counter (created on first use, expiring at `expiresAt`)
   * and returns the new count, so the caller learns it without a separate read.
   */
  async countFailure(key: string, expiresAt: number): Promise<number> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: key },
        UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAt },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.count ?? 1);
  }

  /** Records a revoked access token's id until the token would have expired anyway. */
  async revokeAccessToken(realm: string, jti: string, expiresAt: number): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: `REVOKED#${realm}#${jti}`, ttl: expiresAt } }));
  }

  async isAccessTokenRevoked(realm: string, jti: string, now: number): Promise<boolean> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `REVOKED#${realm}#${jti}` } }));
    return out.Item !== undefined && Number(out.Item.ttl) > now;
  }

  /**
   * Marks a single-use value (a client assertion's jti) as used, atomically: true the first time,
   * false for every later attempt until `expiresAt`, across containers and concurrent requests.
   */
  async useOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: key, ttl: expiresAt },
          // An expired marker TTL has not removed yet does not count.
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}

import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { committedEarlier, itemAfterConditionFailure, newWriteId, RETURN_ITEM_ON_CONDITION_FAILURE, WRITE_ID } from './exactWrite.js';

/**
 * The sessions table: every item carries `ttl` (epoch seconds) so DynamoDB deletes it once it can
 * no longer matter. TTL deletion is lazy (up to days late), so readers check expiry themselves.
 *
 * - `SESSION#<id>`: a service-account session (clients with refresh tokens on).
 * - `REVOKED#<realm>#<jti>`: an access token revoked before its expiry (RFC 7009).
 * - `JTI#<realm>#<clientId>#<jti>`: a client assertion already used (RFC 7523 §3, replay).
 * - `THROTTLE#…`: failed client authentications (lib/store/failureCounters.ts).
 *
 * Every conditional write is exact under the SDK's retries (lib/store/exactWrite.ts): a write
 * whose reply was lost after it committed is recognised by its `writeId` and counts as done.
 */
export interface SessionRecord {
  id: string;
  realm: string;
  clientId: string;
  /**
   * The client's internal id and its service-account user's id when the session started: a
   * client re-created under the same clientId has other ones, so the session is not its
   * (lib/tokens/clientBinding.ts). Absent from sessions stored before they were kept.
   */
  clientUuid?: string;
  userId?: string;
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

  /** Stores a new session; a retry of this very write that finds it stored succeeds. */
  async create(session: SessionRecord): Promise<void> {
    const key = sessionKey(session.id);
    const writeId = newWriteId();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...session, ttl: session.expiresAt, [WRITE_ID]: writeId },
          ConditionExpression: 'attribute_not_exists(pk)',
          ...RETURN_ITEM_ON_CONDITION_FAILURE,
        }),
      );
    } catch (err) {
      if (!(await committedEarlier(err, this.doc, this.tableName, key, writeId))) throw err;
    }
  }

  /** Strongly consistent: a refresh must see the rotation state the last refresh wrote. */
  async get(id: string): Promise<SessionRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: sessionKey(id), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, ttl: _ttl, [WRITE_ID]: _writeId, ...session } = out.Item;
    return session as SessionRecord;
  }

  /**
   * Writes the session's new state only if nobody else changed it since `expectedVersion` was read;
   * false when someone did (the caller re-reads and decides again). This is what keeps two
   * concurrent refreshes of one token from both succeeding. A retry that finds this very write
   * stored answers true, as the first attempt would have.
   */
  async replace(session: SessionRecord, expectedVersion: number): Promise<boolean> {
    const key = sessionKey(session.id);
    const writeId = newWriteId();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...session, ttl: session.expiresAt, [WRITE_ID]: writeId },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ...RETURN_ITEM_ON_CONDITION_FAILURE,
        }),
      );
      return true;
    } catch (err) {
      return committedEarlier(err, this.doc, this.tableName, key, writeId);
    }
  }

  /**
   * Records a use of a session whose refresh token does not rotate (`revokeRefreshToken` off):
   * only `lastRefresh` moves forward, whatever else happens in parallel, so concurrent refreshes
   * of one token never conflict. 'gone' when the session no longer exists. Setting a time is the
   * same write however often it is repeated, so a retried request is exact by itself; a refresh
   * that finds a later use already recorded needs no write at all.
   */
  async recordUse(id: string, now: number): Promise<'recorded' | 'gone'> {
    const key = sessionKey(id);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET lastRefresh = :now',
          ConditionExpression: 'attribute_exists(pk) AND lastRefresh <= :now',
          ExpressionAttributeValues: { ':now': now },
          ...RETURN_ITEM_ON_CONDITION_FAILURE,
        }),
      );
      return 'recorded';
    } catch (err) {
      const item = await itemAfterConditionFailure(err, this.doc, this.tableName, key);
      return item === undefined ? 'gone' : 'recorded';
    }
  }

  async delete(id: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: sessionKey(id) }));
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
    const writeId = newWriteId();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: key, ttl: expiresAt, [WRITE_ID]: writeId },
          // An expired marker TTL has not removed yet does not count.
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': now },
          ...RETURN_ITEM_ON_CONDITION_FAILURE,
        }),
      );
      return true;
    } catch (err) {
      // Our own first attempt marked it: this is still the first use.
      return committedEarlier(err, this.doc, this.tableName, { pk: key }, writeId);
    }
  }
}

import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
  /** The address the session started from (Keycloak's UserSessionModel.getIpAddress). Absent from older sessions. */
  ipAddress?: string;
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

/** infra/dynamodb.yml: the sessions of one client (by its internal id), by start time. */
const BY_CLIENT_INDEX = 'byClient';

/** What the `byClient` index holds of a session: what an admin listing shows, never a token hash. */
export type SessionSummary = Pick<SessionRecord, 'id' | 'realm' | 'clientId' | 'clientUuid' | 'userId' | 'ipAddress' | 'started' | 'lastRefresh' | 'expiresAt'>;

/** Which of a client's sessions still count: not past their max lifespan, used within their idle timeout. */
export interface LiveSessions {
  realm: string;
  clientUuid: string;
  now: number;
  idleTimeout: number;
}

export class SessionsTable {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** Stores a new session; a retry of this very write that finds it stored succeeds. */
  async create(session: SessionRecord): Promise<void> {
    if (!(await this.putExactly(session, { ConditionExpression: 'attribute_not_exists(pk)' }))) {
      throw new Error(`session ${session.id} exists already`);
    }
  }

  /**
   * Puts the session under a condition; false when the condition failed against someone else's
   * write, true when it held or failed against this very write committed earlier (exactWrite.ts).
   */
  private async putExactly(session: SessionRecord, condition: { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> }): Promise<boolean> {
    const key = sessionKey(session.id);
    const writeId = newWriteId();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...session, ttl: session.expiresAt, [WRITE_ID]: writeId },
          ...condition,
          ...RETURN_ITEM_ON_CONDITION_FAILURE,
        }),
      );
      return true;
    } catch (err) {
      return committedEarlier(err, this.doc, this.tableName, key, writeId);
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
    return this.putExactly(session, { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } });
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

  /**
   * A client's live sessions, oldest first, skipping `first` and returning at most `max`. Reads
   * the client's index partition only, a page at a time, and stops once it has enough: never the
   * table. Expired sessions TTL has not removed yet are filtered out by DynamoDB.
   */
  async listByClient(live: LiveSessions, first: number, max: number): Promise<SessionSummary[]> {
    const found: SessionSummary[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...this.liveQuery(live), ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of out.Items ?? []) found.push(summary(item));
      start = out.LastEvaluatedKey;
    } while (start && found.length < first + max);
    return found.slice(first, first + max);
  }

  /** How many live sessions a client has (Keycloak's `session-count`), counted by DynamoDB. */
  async countByClient(live: LiveSessions): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...this.liveQuery(live), Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }));
      count += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return count;
  }

  private liveQuery(live: LiveSessions) {
    return {
      TableName: this.tableName,
      IndexName: BY_CLIENT_INDEX,
      KeyConditionExpression: '#client = :client',
      // Ids imported from a file are not unique across realms: the realm is part of the match.
      FilterExpression: '#realm = :realm AND #expiresAt > :now AND #lastRefresh > :idleSince',
      ExpressionAttributeNames: { '#client': 'clientUuid', '#realm': 'realm', '#expiresAt': 'expiresAt', '#lastRefresh': 'lastRefresh' },
      ExpressionAttributeValues: { ':client': live.clientUuid, ':realm': live.realm, ':now': live.now, ':idleSince': live.now - live.idleTimeout },
    };
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

function summary(item: Record<string, unknown>): SessionSummary {
  const { pk: _pk, ...rest } = item;
  return rest as SessionSummary;
}

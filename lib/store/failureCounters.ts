import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LoadingCache } from '../cache.js';
import { itemAfterConditionFailure, newWriteId, RETURN_ITEM_ON_CONDITION_FAILURE } from './exactWrite.js';

/**
 * Failed client authentications, counted in the sessions table for the throttle
 * (lib/clientAuth/throttle.ts): one item per realm, source address and window,
 *
 *   pk = `THROTTLE#<realm>#<source address>#<window number>`
 *   n        failures from that address in the window, whatever client they named
 *   c_<h>    failures naming one client from that address (h: a hash of the client id, so an id
 *            that was really a secret typed into the wrong field is never stored)
 *   w        ids of the writes counted, so a retried write is counted once
 *   ttl      the end of the next window, after which the counts no longer matter
 *
 * One failure is exactly one UpdateItem, which returns both counts. The previous window's item is
 * read at most once per container (it no longer changes) for the throttle's sliding estimate.
 */
export interface FailureCounts {
  source: number;
  clientAndSource: number;
}

const MAX_REMEMBERED_WINDOWS = 1000;

export class FailureCounters {
  /** Items of windows that have ended, by key: they no longer change, so one read per container. */
  private readonly ended = new LoadingCache<string, Record<string, unknown> | undefined>({ maxEntries: MAX_REMEMBERED_WINDOWS });

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** Adds one failure in `window` and returns that window's counts, this failure included. */
  async add(realm: string, clientId: string, source: string, window: number, expiresAt: number): Promise<FailureCounts> {
    const key = { pk: counterKey(realm, source, window) };
    const client = clientAttribute(clientId);
    const writeId = newWriteId();
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD #n :one, #c :one, #w :ids SET #ttl = :ttl',
          ConditionExpression: 'NOT contains(#w, :id)',
          ExpressionAttributeNames: { '#n': 'n', '#c': client, '#w': 'w', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':ids': new Set([writeId]), ':id': writeId, ':ttl': expiresAt },
          ReturnValues: 'UPDATED_NEW',
          ...RETURN_ITEM_ON_CONDITION_FAILURE,
        }),
      );
      return countsOf(out.Attributes, client);
    } catch (err) {
      // The condition fails only when this very write was counted by an attempt whose reply was
      // lost: the counts as stored already include it.
      return countsOf(await itemAfterConditionFailure(err, this.doc, this.tableName, key), client);
    }
  }

  /** The counts of a window that has ended (zero when nothing failed in it). */
  async previous(realm: string, clientId: string, source: string, window: number): Promise<FailureCounts> {
    const pk = counterKey(realm, source, window);
    const item = await this.ended.get(pk, async () => (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk } }))).Item);
    return countsOf(item, clientAttribute(clientId));
  }
}

const counterKey = (realm: string, source: string, window: number) => `THROTTLE#${realm}#${source || 'unknown'}#${window}`;

const clientAttribute = (clientId: string) => `c_${createHash('sha256').update(clientId, 'utf8').digest('base64url').slice(0, 22)}`;

function countsOf(item: Record<string, unknown> | undefined, client: string): FailureCounts {
  return { source: Number(item?.n ?? 0), clientAndSource: Number(item?.[client] ?? 0) };
}

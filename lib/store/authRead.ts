import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { realmPk, sk } from './clientsTable.js';
import type { ClientRecord } from './model.js';

/**
 * What one client authentication reads, from both tables, in ONE DynamoDB request
 * (BatchGetItem): the client, and the failed-authentication counters of its source address.
 * Keeping it to one round trip keeps brute-force protection off the warm path's cost and latency.
 */
export interface AuthRead {
  client?: ClientRecord;
  /** Counter key → failures counted in the current window. */
  failures: Map<string, number>;
}

export class AuthReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly clientsTable: string,
    private readonly sessionsTable: string,
  ) {}

  async read(realm: string, clientId: string, counterKeys: string[]): Promise<AuthRead> {
    const clientKey = { pk: realmPk(realm), sk: sk.client(clientId) };
    let request: Record<string, { Keys: Record<string, unknown>[] }> = {
      [this.clientsTable]: { Keys: [clientKey] },
      ...(counterKeys.length > 0 ? { [this.sessionsTable]: { Keys: counterKeys.map((pk) => ({ pk })) } } : {}),
    };
    const result: AuthRead = { failures: new Map() };
    // BatchGetItem may leave keys unprocessed under throttling; retry those briefly, then give up
    // as a dependency failure (503) rather than guess.
    for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
      if (attempt === 3) throw Object.assign(new Error('DynamoDB left keys unprocessed'), { name: 'ProvisionedThroughputExceededException' });
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[this.clientsTable] ?? []) {
        const { pk: _pk, sk: _sk, ...client } = item;
        result.client = client as ClientRecord;
      }
      for (const item of out.Responses?.[this.sessionsTable] ?? []) result.failures.set(String(item.pk), Number(item.count ?? 0));
      request = (out.UnprocessedKeys ?? {}) as typeof request;
    }
    return result;
  }

  /** Counts one failed authentication under each key; the counters expire with their window. */
  async recordFailure(counterKeys: string[], expiresAt: number): Promise<void> {
    await Promise.all(
      counterKeys.map((pk) =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.sessionsTable,
            Key: { pk },
            UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
            ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAt },
          }),
        ),
      ),
    );
  }
}

import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Conditional writes that stay exact when the SDK retries them.
 *
 * A write can commit in DynamoDB while its reply is lost (the SDK's request timeout fires, or the
 * connection drops after the commit). The SDK then sends the same request again, and its
 * condition now fails against the write's own result. Every conditional write here therefore
 * carries the id of the request that makes it (`writeId`, fixed before the first attempt, so every
 * retry sends the same one); when the condition fails, the item as it stands is read back (from
 * the failure itself, `ReturnValuesOnConditionCheckFailure: ALL_OLD`, or else with a strongly
 * consistent GetItem) and a write that is found to be our own counts as a success.
 */
export const WRITE_ID = 'writeId';

/** 96 random bits: unique per write, short enough to keep many in one item. */
export const newWriteId = (): string => randomBytes(12).toString('base64url');

/** What every conditional write here asks for, so a failed condition says what is stored. */
export const RETURN_ITEM_ON_CONDITION_FAILURE = { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } as const;

/**
 * The item a failed conditional write ran into: from the failure when DynamoDB returned it, else
 * read back. Throws what it was given when the failure was not a failed condition.
 */
export async function itemAfterConditionFailure(
  err: unknown,
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
): Promise<Record<string, unknown> | undefined> {
  if (!(err instanceof ConditionalCheckFailedException)) throw err;
  if (err.Item) return plainItem(err.Item);
  const out = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return out.Item;
}

/** True when the write that failed its condition had in fact committed: the stored item carries its id. */
export async function committedEarlier(
  err: unknown,
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
  writeId: string,
): Promise<boolean> {
  const item = await itemAfterConditionFailure(err, doc, tableName, key);
  return item?.[WRITE_ID] === writeId;
}

/** The few attribute types these items use (strings, numbers, string sets), as plain values. */
function plainItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value.S !== undefined) plain[name] = value.S;
    else if (value.N !== undefined) plain[name] = Number(value.N);
    else if (value.SS !== undefined) plain[name] = new Set(value.SS);
  }
  return plain;
}

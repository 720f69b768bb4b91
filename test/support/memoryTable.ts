import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ClientsTable } from '../../lib/store/clientsTable.js';

/**
 * The clients table in memory, for unit tests of code above lib/store: the real ClientsTable on a
 * document client that answers the commands it sends (GetItem, PutItem, DeleteItem, the realm-version UpdateItem, Query on
 * `pk` with an optional `begins_with(sk, …)` or `sk BETWEEN` and `#a.#b = :value` filter, BatchWriteItem), items sorted by `sk` as DynamoDB
 * sorts a partition. Counts the commands, so tests can check how much a request reads.
 */
export function memoryClientsTable(): { table: ClientsTable; items: Map<string, Record<string, unknown>>; counts: Record<string, number> } {
  const items = new Map<string, Record<string, unknown>>();
  const counts: Record<string, number> = {};
  const key = (pk: unknown, sk: unknown) => `${String(pk)}\u0001${String(sk)}`;
  const copy = <T>(value: T): T => structuredClone(value);
  const doc = {
    send: async (command: unknown) => {
      const name = (command as object).constructor.name;
      counts[name] = (counts[name] ?? 0) + 1;
      if (command instanceof GetCommand) {
        const item = items.get(key(command.input.Key!.pk, command.input.Key!.sk));
        return { Item: item && copy(item) };
      }
      if (command instanceof PutCommand) {
        const item = copy(command.input.Item!);
        // The one condition the table puts with (ClientsTable.putIfAbsent).
        if (command.input.ConditionExpression === 'attribute_not_exists(sk)' && items.has(key(item.pk, item.sk))) {
          throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
        }
        items.set(key(item.pk, item.sk), item);
        return {};
      }
      if (command instanceof DeleteCommand) {
        items.delete(key(command.input.Key!.pk, command.input.Key!.sk));
        return {};
      }
      if (command instanceof QueryCommand) {
        const values = command.input.ExpressionAttributeValues!;
        const prefix = (values[':prefix'] as string | undefined) ?? '';
        // `sk BETWEEN :from AND :to` (ClientsTable.loadRealm), inclusive as DynamoDB's.
        const between = /sk BETWEEN :from AND :to/.test(command.input.KeyConditionExpression ?? '');
        const inRange = (sk: string) => (between ? sk >= String(values[':from']) && sk <= String(values[':to']) : sk.startsWith(prefix));
        // The filters the table sends: `#a.#b = :value` (ClientsTable.findClientWhere).
        const filter = /^(#\w+(?:\.#\w+)*) = (:\w+)$/.exec(command.input.FilterExpression ?? '');
        const attributeAt = (item: Record<string, unknown>, path: string) =>
          path.split('.').reduce<unknown>((value, name) => (value as Record<string, unknown> | undefined)?.[command.input.ExpressionAttributeNames![name]!], item);
        const matchesFilter = (item: Record<string, unknown>) => !filter || attributeAt(item, filter[1]!) === values[filter[2]!];
        const found = [...items.values()]
          .filter((item) => item.pk === values[':pk'] && inRange(String(item.sk)) && matchesFilter(item))
          .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : String(a.sk) > String(b.sk) ? 1 : 0));
        return { Items: found.map(copy) };
      }
      if (command instanceof UpdateCommand && command.input.UpdateExpression === 'ADD #version :one') {
        // The realm-version bump every write ends with (ClientsTable.changing).
        const { pk, sk } = command.input.Key!;
        const stored = items.get(key(pk, sk));
        items.set(key(pk, sk), { pk, sk, version: Number(stored?.version ?? 0) + 1 });
        return {};
      }
      if (command instanceof BatchWriteCommand) {
        for (const requests of Object.values(command.input.RequestItems!)) {
          for (const request of requests) {
            const item = copy(request.PutRequest!.Item!);
            items.set(key(item.pk, item.sk), item);
          }
        }
        return {};
      }
      throw new Error(`memory table: ${name} not supported`);
    },
  } as unknown as DynamoDBDocumentClient;
  return { table: new ClientsTable(doc, 'memory'), items, counts };
}

/**
 * DynamoDB refuses an item larger than 400 KB (Service, account and table quotas: "Item size",
 * 400 KB including attribute names). A client item grows with its attributes, mappers and role
 * mappings; the Admin API and sa-admin measure it before the write, so the operator gets a 400
 * that names the limit instead of the SDK's ValidationException as a 500.
 */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * An item's size as DynamoDB counts it (Developer Guide, "Item sizes and formats"): attribute
 * names and strings in UTF-8 bytes, numbers about one byte per two significant digits plus one,
 * booleans and nulls one byte, maps and lists three bytes plus one per element. Rounded up where
 * the guide gives a range, so an item measured below the limit is one DynamoDB accepts.
 */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += utf8(name) + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Set) return [...(value as Set<unknown>)].reduce<number>((sum, member) => sum + valueSize(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
      if (member === undefined) continue;
      size += 1 + utf8(name) + valueSize(member);
    }
    return size;
  }
  return 0;
}

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * Query parameters the Admin REST API's list resources share, read as Keycloak's JAX-RS resources
 * read them (`first`/`max` are Integer params: a negative value means none,
 * ModelToRepresentation's paginatedStream).
 */

/** `first` and `max` as Keycloak reads them: a negative or unreadable value is ignored; `max` falls back to `defaultMax`. */
export function pageBounds(query: URLSearchParams, defaultMax?: number): { first: number; max: number | undefined } {
  const int = (name: string) => {
    const value = query.get(name);
    return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  return { first: int('first') ?? 0, max: int('max') ?? defaultMax };
}

/** One page of `items` by `first` and `max` (pageBounds). */
export function page<T>(items: readonly T[], query: URLSearchParams, defaultMax?: number): T[] {
  const { first, max } = pageBounds(query, defaultMax);
  return items.slice(first, max === undefined ? undefined : first + max);
}

/** A boolean query parameter (`briefRepresentation`, `exact`): `true` in any case is true, anything else false. */
export function flag(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  return value === null ? fallback : value.toLowerCase() === 'true';
}

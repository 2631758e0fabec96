import type { OpenAPIObject } from '@nestjs/swagger';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/**
 * What the validators enforce, written into the document by construction (issue 15): the
 * class-validator metadata of each DTO class behind a component schema (@nestjs/swagger names
 * a schema after its class) is read and its rules become JSON-schema keywords, so the document
 * cannot be looser than the ValidationPipe (class-validator-jsonschema builds whole schemas of
 * its own instead, with its own idea of `required`; here only the constraints are merged into
 * the schemas swagger wrote). Request-body schemas, nested ones too, get
 * `additionalProperties: false`: the pipe refuses unknown fields (forbidNonWhitelisted).
 */
type Schema = {
  $ref?: string;
  type?: string;
  items?: Schema;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  enum?: unknown[];
  [k: string]: unknown;
};

/** One validator's keywords, from its constraints. */
const KEYWORDS: Record<string, (c: unknown[]) => Schema> = {
  isInt: () => ({ type: 'integer' }),
  min: ([n]) => ({ minimum: n }),
  max: ([n]) => ({ maximum: n }),
  minLength: ([n]) => ({ minLength: n }),
  maxLength: ([n]) => ({ maxLength: n }),
  isLength: ([min, max]) => ({ ...(min != null ? { minLength: min } : {}), ...(max != null ? { maxLength: max } : {}) }),
  arrayMinSize: ([n]) => ({ minItems: n }),
  arrayMaxSize: ([n]) => ({ maxItems: n }),
  isUuid: () => ({ format: 'uuid' }),
  isIp: ([version]) => (String(version ?? '') === '4' ? { format: 'ipv4' } : String(version ?? '') === '6' ? { format: 'ipv6' } : { anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] }),
  isIn: ([values]) => ({ enum: [...(values as unknown[])] }),
  matches: ([pattern]) => ({ pattern: pattern instanceof RegExp ? pattern.source : String(pattern) }),
};

/** Rules of a class and of the classes it extends, by property (what the pipe runs). */
function rulesOf(target: Function): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  }
  return byProperty;
}

/** The keywords of a property's rules: on the value, or on its items for `each` rules. */
export function constraintsOf(rules: ValidationMetadata[]): { value: Schema; items: Schema } {
  const value: Schema = {};
  const items: Schema = {};
  for (const rule of rules) {
    const keywords = rule.name ? KEYWORDS[rule.name] : undefined;
    if (!keywords) continue;
    Object.assign(rule.each ? items : value, keywords(rule.constraints ?? []));
  }
  return { value, items };
}

/** Writes keywords into a property schema; a $ref'd or allOf'd one keeps its reference. */
function merge(target: Schema, keywords: Schema): void {
  for (const [k, v] of Object.entries(keywords)) {
    // an enum swagger already wrote (often the same list) stays; a type on a reference is wrong
    if ((k === 'enum' && target.enum) || (k === 'type' && (target.$ref || target.allOf))) continue;
    if (k === 'type' && target.type === 'array') continue;
    target[k] = v;
  }
}

/** Applies a DTO class's rules to the schema describing it (properties or query parameters). */
export function applyRules(target: Function, property: (name: string) => Schema | undefined): void {
  for (const [name, rules] of rulesOf(target)) {
    const schema = property(name);
    if (!schema) continue;
    const { value, items } = constraintsOf(rules);
    merge(schema, value);
    if (Object.keys(items).length > 0) {
      if (schema.type === 'array') merge((schema.items ??= {}), items);
    }
  }
}

/** Every class that has validation rules, by name. */
function validatedClasses(): Map<string, Function> {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, ValidationMetadata[]> };
  const classes = new Map<string, Function>();
  for (const target of storage.validationMetadatas.keys()) if (typeof target === 'function') classes.set(target.name, target);
  return classes;
}

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

/** Names of the component schemas a schema reaches through $ref, allOf, items and properties. */
function reachable(schema: Schema | undefined, components: Record<string, Schema>, seen: Set<string>): void {
  if (!schema || typeof schema !== 'object') return;
  if (schema.$ref) {
    const name = refName(schema.$ref);
    if (seen.has(name)) return;
    seen.add(name);
    reachable(components[name], components, seen);
    return;
  }
  for (const part of schema.allOf ?? []) reachable(part, components, seen);
  reachable(schema.items, components, seen);
  for (const p of Object.values(schema.properties ?? {})) reachable(p, components, seen);
}

/** The validators' constraints and the body schemas' closedness, written into the document. */
export function applyValidationConstraints(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const classes = validatedClasses();
  for (const [name, schema] of Object.entries(components)) {
    const target = classes.get(name);
    if (target) applyRules(target, (property) => schema.properties?.[property]);
  }
  const bodies = new Set<string>();
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      const content = (operation as { requestBody?: { content?: Record<string, { schema?: Schema }> } })?.requestBody?.content ?? {};
      for (const media of Object.values(content)) reachable(media.schema, components, bodies);
    }
  }
  for (const name of bodies) {
    const schema = components[name];
    // a schema swagger wrote as an open map (additionalProperties: true or a schema) stays open
    if (schema?.type === 'object' && schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
  return document;
}

type Parameter = { name: string; in: string; schema?: Schema };

/**
 * Query DTOs become parameters (swagger explodes them): each operation's @Query class is found
 * through its operationId (`Controller_method`) and the controller's route-argument metadata.
 */
export function applyQueryConstraints(document: OpenAPIObject, controllers: Function[]): void {
  const byName = new Map(controllers.map((c) => [c.name, c]));
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as { operationId?: string; parameters?: Parameter[] }[]) {
      const [controllerName, method] = operation?.operationId?.split('_') ?? [];
      const controller = byName.get(controllerName);
      if (!controller || !method) continue;
      for (const dto of queryTypes(controller, method)) {
        applyRules(dto, (name) => operation.parameters?.find((p) => p.in === 'query' && p.name === name)?.schema);
      }
    }
  }
}

/** The classes of a handler's whole-object @Query() arguments. */
function queryTypes(controller: Function, method: string): Function[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? []) as Function[];
  return Object.entries(args)
    .filter(([key, arg]) => key.split(':')[0] === String(RouteParamtypes.QUERY) && arg.data === undefined)
    .map(([, arg]) => types[arg.index])
    .filter((t): t is Function => typeof t === 'function' && t !== Object);
}

/**
 * The ORM's exports: mapped classes, relationships, loader options, sessions, inspection.
 *
 * @module
 */
export { Engine } from "./engine.ts";
export { Model, type ModelClass, type ModelObject, type ModelOptions } from "./mapping/model.ts";
export { type ColumnsOf, type OwnColumns, type Subclass } from "./mapping/inheritance.ts";
export { type JoinedSubclass, type JoinedTableOptions } from "./mapping/joined_inheritance.ts";
export { inspect, type InstanceInfo } from "./mapping/inspect.ts";
export type { ObjectStatus } from "./mapping/state.ts";
export type { Collection } from "./relationship/collection.ts";
export type { RelationshipOptions, Secondary } from "./relationship/options.ts";
export type { RelationshipKind, Relationships } from "./relationship/declared.ts";
export { Relationship, relationship } from "./relationship/relationship.ts";
export {
  AssociationProxy,
  associationProxy,
  type AssociationProxyOptions,
} from "./relationship/proxy.ts";
export { joined, type LoaderOption, selectin } from "./loading/options.ts";
export { type ColumnOption, defer, loadOnly, undefer } from "./loading/column_options.ts";
export { type LoaderCriteria, loaderCriteria, withoutCriteria } from "./loading/criteria.ts";
export { Session } from "./session/session.ts";
export type { SessionStreamOptions } from "./session/stream.ts";
export type { ExecuteOptions } from "./session/bulk.ts";
export type { SessionScalar } from "./session/scalars.ts";
export type { ObjectsView } from "./session/views.ts";
export { sessionMaker } from "./session/maker.ts";
export type {
  EntityKey,
  EntityQuery,
  ExecuteResult,
  SessionOptions,
  SessionSavepoint,
} from "./session/types.ts";
export {
  type Check,
  check,
  validates,
  type Validator,
  type Validators,
} from "./mapping/validators.ts";
export { type ClassEvent, listen } from "./mapping/events.ts";
export type { SessionEvent, SessionListener } from "./session/hooks.ts";

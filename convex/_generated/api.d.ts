/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
import type * as alerts from "../alerts.js";
import type * as approvals from "../approvals.js";
import type * as archival from "../archival.js";
import type * as checks from "../checks.js";
import type * as documents from "../documents.js";
import type * as fix from "../fix.js";
import type * as jobRuns from "../jobRuns.js";
import type * as leases from "../leases.js";
import type * as lib_budget from "../lib/budget.js";
import type * as lib_checkPage from "../lib/checkPage.js";
import type * as lib_monitorDocs from "../lib/monitorDocs.js";
import type * as lib_tables from "../lib/tables.js";
import type * as meta from "../meta.js";
import type * as migration from "../migration.js";
import type * as migrationBounds from "../migrationBounds.js";
import type * as migrationPages from "../migrationPages.js";
import type * as migrationRuns from "../migrationRuns.js";
import type * as migrationShared from "../migrationShared.js";
import type * as outbox from "../outbox.js";
import type * as snapshot from "../snapshot.js";
import type * as snapshots from "../snapshots.js";
import type * as validators from "../validators.js";

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
declare const fullApi: ApiFromModules<{
  alerts: typeof alerts;
  approvals: typeof approvals;
  archival: typeof archival;
  checks: typeof checks;
  documents: typeof documents;
  fix: typeof fix;
  jobRuns: typeof jobRuns;
  leases: typeof leases;
  "lib/budget": typeof lib_budget;
  "lib/checkPage": typeof lib_checkPage;
  "lib/monitorDocs": typeof lib_monitorDocs;
  "lib/tables": typeof lib_tables;
  meta: typeof meta;
  migration: typeof migration;
  migrationBounds: typeof migrationBounds;
  migrationPages: typeof migrationPages;
  migrationRuns: typeof migrationRuns;
  migrationShared: typeof migrationShared;
  outbox: typeof outbox;
  snapshot: typeof snapshot;
  snapshots: typeof snapshots;
  validators: typeof validators;
}>;
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;

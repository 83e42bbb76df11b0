/**
 * The Convex adapter: one class per port over one `ConvexCaller`. `openConvexParts` builds them for the
 * composition root; nothing else constructs them.
 */
import type { ApprovalStore } from '../../approvals/port.ts';
import type { CheckPort } from '../../quality/port.ts';
import type { DocumentStore, LeaseStore, MetaStore } from '../port.ts';
import type { SnapshotSource } from '../snapshot-source.ts';
import { ConvexApprovalStore } from './approval-store.ts';
import { ConvexCheckPort, type ConvexCheckPortOptions } from './check-port.ts';
import { ConvexCaller, type ConvexCallerOptions, type ConvexConnection } from './client.ts';
import { ConvexDocumentStore } from './document-store.ts';
import { ConvexLeaseStore } from './lease-store.ts';
import { ConvexMetaStore } from './meta-store.ts';
import { ConvexSnapshotSource } from './snapshot-source.ts';

export { ConvexCaller, isLimitError, type ConvexCallerOptions, type ConvexConnection } from './client.ts';
export { ConvexApprovalStore } from './approval-store.ts';
export { ConvexCheckPort, type ConvexCheckPortOptions } from './check-port.ts';
export { ConvexDocumentStore } from './document-store.ts';
export { ConvexLeaseStore } from './lease-store.ts';
export { ConvexMetaStore } from './meta-store.ts';
export { ConvexSnapshotSource } from './snapshot-source.ts';

/** The ports of one Convex deployment. */
export interface ConvexParts {
  caller: ConvexCaller;
  documents: DocumentStore;
  leases: LeaseStore;
  meta: MetaStore;
  checks: CheckPort;
  /** What exports and migration backups read. */
  snapshots: SnapshotSource;
  /** Four-eyes approval requests of migrations and rollbacks. */
  approvals: ApprovalStore;
}

/** Connects to a deployment (no request is made until a port is used) and builds its ports. */
export function openConvexParts(connection: ConvexConnection & ConvexCallerOptions & { checks?: ConvexCheckPortOptions }): ConvexParts {
  const caller = new ConvexCaller(connection, connection);
  return {
    caller,
    documents: new ConvexDocumentStore(caller),
    leases: new ConvexLeaseStore(caller),
    meta: new ConvexMetaStore(caller),
    checks: new ConvexCheckPort(caller, connection.checks),
    snapshots: new ConvexSnapshotSource(caller),
    approvals: new ConvexApprovalStore(caller),
  };
}

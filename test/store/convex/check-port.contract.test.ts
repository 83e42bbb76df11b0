// @vitest-environment edge-runtime
import { checkPortContract, type CheckPortHandles } from '../../contracts/check-port.contract.ts';
import { convexParts, danglingEntityIds } from '../../convex/parts.ts';

function openConvex(recordsPerPage?: number): () => Promise<CheckPortHandles> {
  return async () => {
    const parts = convexParts({ recordsPerPage });
    const dangling = await danglingEntityIds(parts.harness, 30);
    return {
      port: parts.checks,
      documents: parts.documents,
      danglingEntityId: () => {
        const id = dangling.shift();
        if (id === undefined) throw new Error('The test used more dangling ids than prepared');
        return id;
      },
      close: async () => undefined,
    };
  };
}

checkPortContract('Convex, through ConvexHttpClient', openConvex());
checkPortContract('Convex, two records per page', openConvex(2));

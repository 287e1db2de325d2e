import { engineOf, type AwsPortFactory } from '../aws';
import { mskOf } from '../aws-msk';

/**
 * The replicator of the engine this invocation acts on: MSK Replicator, or MirrorMaker 2 on MSK Connect. Each
 * engine's adapter (and MSK Connect's SDK client) is loaded on first use, the engine the run uses only: in the
 * deployed bundle each is a chunk that a cold start does not load (lib/handler-bundles.ts).
 */
const mskReplicatorModule = (): Promise<typeof import('./replicator-msk')> => import('./replicator-msk');
const mirrorMaker2Module = (): Promise<typeof import('./replicator-mm2')> => import('./replicator-mm2');

export const replicator: AwsPortFactory = Object.assign(
  async (inv: Parameters<AwsPortFactory>[0]) => {
    const clusters = mskOf(inv);
    if (engineOf(inv) === 'MSK_REPLICATOR') return (await mskReplicatorModule()).mskReplicator(inv, clusters);
    return (await mirrorMaker2Module()).mirrorMaker2(inv, clusters.region);
  },
  { preload: async () => void (await Promise.all([mskReplicatorModule(), mirrorMaker2Module()])) },
);
